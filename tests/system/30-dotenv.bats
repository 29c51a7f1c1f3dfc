#!/usr/bin/env bats
# The .env / env_file grammar (edge cases 20-26), and where interpolation values come from:
# shell > --env-file (repeatable, later wins) or .env > defaults.

load helpers

# with_env_file: a service whose env_file is e.env, so every key of e.env shows up in its environment.
with_env_file() {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    env_file: ./e.env
EOF
}

@test "edge 20: spacing and inline comments" {
	with_env_file
	printf '%s\n' 'K1 = my string # c' 'K2=123#x' 'K3="a#b" # c' 'K4= ' "K5='x' # c" '# a comment' '' '   # indented comment' 'K6=v#' >e.env
	cfg_json
	assert_jget services/s/environment '{"K1":"my string","K2":"123#x","K3":"a#b","K4":"","K5":"x","K6":"v#"}'
}

@test "edge 21: quotes and escapes" {
	with_env_file
	printf '%s\n' "K5='\\n'" 'K6="\n"' 'K7="\0123"' 'K8="\x07"' "K9='Let\\'s'" 'K10="a\"b"' 'K15="t\tx\\y"' 'K16="\u00e9"' >e.env
	cfg_json
	assert_jget services/s/environment/K5 '\n'
	assert_jget services/s/environment '{"K10":"a\"b","K15":"t\tx\\y","K16":"\\u00e9","K5":"\\n","K6":"\n","K7":"S","K8":"\\x07","K9":"Let'"'"'s"}'
}

@test "edge 22: multi-line quoted values" {
	with_env_file
	printf '%s\n' "K11='line1" 'line2' "line3'" 'K12="l1' 'l2"' 'AFTER=ok' >e.env
	cfg_json
	assert_jget services/s/environment '{"AFTER":"ok","K11":"line1\nline2\nline3","K12":"l1\nl2"}'
}

@test "edge 22: an unterminated quote is an error with the line number" {
	with_env_file
	printf '%s\n' 'X=1' "K='abc" >e.env
	run -1 cc config
	assert_output "error: $P/e.env:2: unterminated quoted value"
	printf '%s\n' 'X=1' 'Y=2' 'K="abc' >e.env
	run -1 cc config
	assert_output "error: $P/e.env:3: unterminated quoted value"
}

@test "edge 23: keys: export, dots, dashes, brackets, unicode, colon separator" {
	with_env_file
	printf '%s\n' 'export A=2' $'export\tTB=3' 'exportFOO=2' 'VAR.WITH.DOTS=1' 'VAR-WITH-DASHES=1' 'a[1]=x' 'ünï=u' 'KC: v' >e.env
	cfg_json
	assert_jget services/s/environment '{"A":"2","KC":"v","TB":"3","VAR-WITH-DASHES":"1","VAR.WITH.DOTS":"1","a[1]":"x","exportFOO":"2","ünï":"u"}'
}

@test "edge 23: a key with a space or a bad character is an error with the line number" {
	with_env_file
	printf '%s\n' 'X=1' 'bad key=1' >e.env
	run -1 cc config
	assert_output "error: $P/e.env:2: key cannot contain a space"
	printf '%s\n' 'X=1' 'Y=1' '%x=1' >e.env
	run -1 cc config
	assert_output "error: $P/e.env:3: unexpected character \"%\" in variable name"
}

@test "edge 24: a bare key inherits from the environment, and is absent when not found" {
	with_env_file
	printf '%s\n' 'INH' 'NOTSET' 'EMPTY' >e.env
	INH=inherited EMPTY= cfg_json
	assert_jget services/s/environment '{"EMPTY":"","INH":"inherited"}'
}

@test "edge 25: when expanding an env_file, the OS environment beats earlier lines of the file" {
	with_env_file
	printf '%s\n' 'A=1' 'B=${A}' 'C=${C:-1}' >e.env
	A=5 C=7 cfg_json
	assert_jget services/s/environment '{"A":"1","B":"5","C":"7"}'
	cfg_json
	assert_jget services/s/environment '{"A":"1","B":"1","C":"1"}'
}

@test "edge 25: with several --env-file, a later file's reference prefers the OS value" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    environment:
      A: ${A}
      B: ${B}
      D: ${D}
EOF
	printf 'A=1\nD=base\n' >base.env
	printf 'B=${A}\nD=over\n' >over.env
	A=5 cfg_json --env-file base.env --env-file over.env
	assert_jget services/s/environment '{"A":"5","B":"5","D":"over"}'
	cfg_json --env-file base.env --env-file over.env
	assert_jget services/s/environment '{"A":"1","B":"1","D":"over"}'
}

@test "edge 26: BOM, CRLF, no expansion in single quotes, \\\$ in double quotes" {
	with_env_file
	printf '\xef\xbb\xbfA=1\r\nB="x"\r\n' >e.env
	printf '%s\n' "K13='quote \$FOO'" 'K14="foo\$BAR"' 'K15="v=$FOO"' >>e.env
	FOO=first cfg_json
	assert_jget services/s/environment '{"A":"1","B":"x","K13":"quote $$FOO","K14":"foo$$BAR","K15":"v=first"}'
}

@test "interpolation errors inside an env file report the file and line" {
	with_env_file
	printf '%s\n' 'A=1' 'B=${' >e.env
	run -1 cc config
	assert_output "error: $P/e.env:2: invalid interpolation format: \"\${\"; you may need to escape any \$ with another \$"
	printf '%s\n' 'A=${UNSET:?oops}' >e.env
	run -1 cc config
	assert_output "error: $P/e.env:1: required variable UNSET is missing a value: oops"
}

@test ".env in the project directory feeds interpolation; later lines see earlier ones" {
	write compose.yaml <<'EOF'
services:
  s:
    image: ${IMG}
    environment:
      B: ${B}
EOF
	printf 'IMG=from-dotenv\nB=${IMG}-b\n' >.env
	cfg_json
	assert_jget services/s/image from-dotenv
	assert_jget services/s/environment/B from-dotenv-b
}

@test ".env values are not injected into containers, only used for interpolation" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
EOF
	printf 'SECRET=x\n' >.env
	cfg_json
	assert_jget services/s/environment '<absent>'
}

@test "precedence: the shell environment beats .env" {
	write compose.yaml <<'EOF'
services:
  s:
    image: ${IMG}
EOF
	printf 'IMG=from-dotenv\n' >.env
	IMG=from-shell cfg_json
	assert_jget services/s/image from-shell
	# set but empty in the shell still wins
	IMG= run -0 cc config --images
	assert_output ""
}

@test "--env-file replaces .env; repeated, the later file wins; the shell still wins" {
	write compose.yaml <<'EOF'
services:
  s:
    image: ${IMG:-none}
    environment:
      X: ${X:-none}
      Y: ${Y:-none}
EOF
	printf 'IMG=dotenv\nX=dotenv\n' >.env
	printf 'IMG=one\nY=one\n' >one.env
	printf 'IMG=two\n' >two.env
	cfg_json --env-file one.env
	assert_jget services/s/image one
	assert_jget services/s/environment '{"X":"none","Y":"one"}'
	cfg_json --env-file one.env --env-file two.env
	assert_jget services/s/image two
	assert_jget services/s/environment '{"X":"none","Y":"one"}'
	IMG=shell cfg_json --env-file one.env --env-file two.env
	assert_jget services/s/image shell
}

@test "--env-file takes a relative path and the file must exist" {
	write compose.yaml <<'EOF'
services:
  s:
    image: ${IMG:-none}
EOF
	mkdir conf
	printf 'IMG=sub\n' >conf/x.env
	run -0 cc --env-file conf/x.env config --images
	assert_output sub
	run -1 cc --env-file nope.env config
	assert_output "error: cannot open $P/nope.env: No such file or directory"
}

@test "COMPOSE_DISABLE_ENV_FILE skips .env" {
	write compose.yaml <<'EOF'
services:
  s:
    image: ${IMG:-none}
EOF
	printf 'IMG=dotenv\n' >.env
	COMPOSE_DISABLE_ENV_FILE=1 run -0 cc config --images
	assert_output none
	COMPOSE_DISABLE_ENV_FILE=0 run -0 cc config --images
	assert_output dotenv
}

@test "an invalid .env is an error even when no variable is used" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
EOF
	printf 'OK=1\nnot valid=2\n' >.env
	run -1 cc config
	assert_output "error: $P/.env:2: key cannot contain a space"
}

@test "env_file: list, later files win, environment beats env_file" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    env_file: [a.env, b.env]
    environment:
      C: from-environment
EOF
	printf 'A=a\nB=a\nC=a\n' >a.env
	printf 'B=b\nC=b\n' >b.env
	cfg_json
	assert_jget services/s/environment '{"A":"a","B":"b","C":"from-environment"}'
	assert_jget services/s/env_file '<absent>'
}

@test "env_file long syntax: required: false skips a missing file; format: raw keeps the text as is" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    env_file:
      - path: raw.env
        format: raw
      - path: missing.env
        required: false
EOF
	printf 'A="q $X"\nB=${X}\n' >raw.env
	X=1 cfg_json
	assert_jget services/s/environment '{"A":"\"q $$X\"","B":"$${X}"}'
}

@test "env_file: a missing required file is an error at the env_file entry" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    env_file: nope.env
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:4:15: env file $P/nope.env not found: cannot open $P/nope.env: No such file or directory"
}

@test "env_file is relative to the compose file's directory" {
	write sub/compose.yaml <<'EOF'
services:
  s:
    image: busybox
    env_file: ./vars.env
EOF
	printf 'WHERE=sub\n' >sub/vars.env
	cfg_json -f sub/compose.yaml
	assert_jget services/s/environment '{"WHERE":"sub"}'
}

@test "label_file feeds labels; labels win" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    label_file: ./l.env
    labels:
      b: from-labels
EOF
	printf 'a=1\nb=2\n' >l.env
	cfg_json
	assert_jget services/s/labels '{"a":"1","b":"from-labels"}'
}
