#!/usr/bin/env bats
# ps (filters, -q, --services, --format json field names and values) and ls (-a, --format json, -q).

load helpers

# web runs until stopped, job exits 0 at once.
web_and_job() {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
  job:
    image: busybox
    command: ["echo", "done"]
EOF
	cc_ok up -d
	wait_state proj-job-1 exited
}

@test "ps hides exited containers; ps -a shows them" {
	web_and_job
	run names
	assert_success
	assert_output "proj-web-1"
	run names -a
	assert_success
	assert_output "$(printf '%s\n' proj-job-1 proj-web-1)"
}

@test "ps table lists the running container, not the exited one" {
	web_and_job
	run --separate-stderr cc ps
	assert_success
	assert_line --index 0 --regexp '^NAME +IMAGE +COMMAND +SERVICE +CREATED +STATUS +PORTS$'
	assert_line --regexp '^proj-web-1 +nginx +.* web +.* Up '
	refute_line --partial proj-job-1
	run --separate-stderr cc ps -a
	assert_success
	assert_line --regexp '^proj-job-1 +busybox +.* job +.* Exited \(0\) '
}

@test "ps -q prints the IDs only" {
	web_and_job
	local id
	id=$(cid proj-web-1)
	run --separate-stderr cc ps -q
	assert_success
	assert_output "$id"
	run --separate-stderr cc ps -a -q
	assert_success
	assert_line "$id"
	assert_line "$(cid proj-job-1)"
	[ "${#lines[@]}" -eq 2 ] || fail "expected 2 IDs, got: $output"
}

@test "ps --services lists the services of the listed containers" {
	web_and_job
	run --separate-stderr cc ps --services
	assert_success
	assert_output "web"
	run --separate-stderr cc ps -a --services
	assert_success
	run sort <<<"$output"
	assert_output "$(printf '%s\n' job web)"
}

@test "ps --status exited lists only the exited containers" {
	web_and_job
	run names --status exited
	assert_success
	assert_output "proj-job-1"
	run names --status running
	assert_success
	assert_output "proj-web-1"
}

@test "ps --filter status=running lists only the running containers" {
	web_and_job
	run names --filter status=running
	assert_success
	assert_output "proj-web-1"
	run names --filter status=exited
	assert_success
	assert_output "proj-job-1"
}

@test "ps with a service name lists that service only" {
	web_and_job
	run names -a job
	assert_success
	assert_output "proj-job-1"
	run cc ps nosuch
	assert_failure 1
	assert_output --partial "no such service: nosuch"
}

@test "ps --format json: one object per line with docker compose's field names and values" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    ports:
      - "8080:80"
    healthcheck:
      test: ["CMD", "true"]
      interval: 200ms
  bad:
    image: busybox
    command: ["sh", "-c", "exit 3"]
EOF
	cc_ok up -d
	wait_state proj-bad-1 exited
	# podman runs no health checks here (no systemd): its Health stays "starting"
	local health=healthy
	! engine_lacks healthchecks || health=starting
	wait_for 10 field_is proj-web-1 Health "$health"
	run --separate-stderr cc ps -a --format json
	assert_success
	[ "${#lines[@]}" -eq 2 ] || fail "expected 2 NDJSON lines, got: $output"
	run "$PY" -c '
import json, sys
want = ["ID", "Name", "Names", "Image", "Command", "Project", "Service", "Created", "State", "Status", "Health",
        "ExitCode", "Publishers", "Labels", "CreatedAt", "RunningFor", "Networks", "Ports", "LocalVolumes", "Mounts",
        "Size"]
for line in sys.stdin:
    o = json.loads(line)
    missing = [k for k in want if k not in o]
    if missing:
        print(o.get("Name"), "lacks", missing)
print("ok")
' <<<"$output"
	assert_output "ok"
	assert_field proj-web-1 State running
	assert_field proj-web-1 Health "$health"
	assert_field proj-web-1 ExitCode 0
	assert_field proj-web-1 Project proj
	assert_field proj-web-1 Service web
	assert_field proj-web-1 Image nginx
	assert_field proj-web-1 Names proj-web-1
	local v6=''
	# dockerd also listens on IPv6 and lists that binding (as docker compose then shows it); podman's
	# service lists the one it was given
	[ "$BACKEND" != docker ] || [ "$CC_CONFORMANCE_ENGINE_SAVED" = podman ] ||
		v6=',{"Protocol":"tcp","PublishedPort":8080,"TargetPort":80,"URL":"::"}'
	assert_field proj-web-1 Publishers "[{\"Protocol\":\"tcp\",\"PublishedPort\":8080,\"TargetPort\":80,\"URL\":\"0.0.0.0\"}$v6]"
	run cfield proj-web-1 Status
	# docker's wording: "(healthy)", or "(health: starting)" before the first check
	if [ "$health" = healthy ]; then
		assert_output --regexp '^Up .*\(healthy\)$'
	else
		assert_output --regexp '^Up .*\(health: starting\)$'
	fi
	run cfield proj-web-1 Ports
	assert_output --partial "8080->80/tcp"
	assert_field proj-bad-1 State exited
	assert_field proj-bad-1 ExitCode 3
	assert_field proj-bad-1 Health ""
	run cfield proj-bad-1 Status
	assert_output --regexp '^Exited \(3\) '
	run cfield proj-web-1 ID
	assert_output --regexp '^[0-9a-f]{12,64}$'
}

@test "ps --format json prints nothing when there are no containers" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run --separate-stderr cc ps --format json
	assert_success
	assert_output ""
}

@test "ls shows a running project as running(N) with its config file" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
  api:
    image: busybox
EOF
	cc_ok up -d
	run --separate-stderr cc ls
	assert_success
	assert_line --index 0 --regexp '^NAME +STATUS +CONFIG FILES$'
	assert_line --regexp "^proj +running\\(2\\) +$P/compose.yaml\$"
}

@test "ls hides stopped projects; ls -a shows them" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
  api:
    image: busybox
EOF
	cc_ok up -d
	cc_ok stop
	run --separate-stderr cc ls
	assert_success
	refute_line --regexp '^proj '
	run --separate-stderr cc ls -a
	assert_success
	assert_line --regexp '^proj +exited\(2\) '
}

@test "ls --format json" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	cc_ok up -d
	run --separate-stderr cc ls --format json
	assert_success
	run "$PY" -c '
import json, sys
print(json.dumps(json.load(sys.stdin), sort_keys=True))
' <<<"$output"
	assert_output "[{\"ConfigFiles\": \"$P/compose.yaml\", \"Name\": \"proj\", \"Status\": \"running(1)\"}]"
}

@test "ls -q prints the project names only" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	cc_ok up -d
	run --separate-stderr cc ls -q
	assert_success
	assert_output "proj"
}

@test "ls with no projects prints only the header, and [] as json" {
	run --separate-stderr cc ls
	assert_success
	assert_output --regexp '^NAME +STATUS +CONFIG FILES$'
	run --separate-stderr cc ls --format json
	assert_success
	assert_output "[]"
}

@test "ps, ls and images take a Go template; table TEMPLATE aligns under docker's headers" {
	web_and_job
	run --separate-stderr cc ps -a --format '{{.Name}} {{.State}} {{.ExitCode}}'
	assert_success
	assert_output "$(printf '%s\n' 'proj-job-1 exited 0' 'proj-web-1 running 0')"
	run --separate-stderr cc ps --format 'table {{.Name}}\t{{.Service | upper}}\t{{truncate .ID 12}}\t{{.RunningFor}}'
	assert_success
	assert_line --index 0 --regexp '^NAME +SERVICE +CONTAINER ID +CREATED$'
	assert_line --index 1 --regexp "^proj-web-1 +WEB +$(cid proj-web-1 | cut -c1-12) +.* ago$"
	assert_equal "${#lines[@]}" 2
	run --separate-stderr cc ps --format '{{json .Labels}}|{{.Missing}}'
	assert_success
	assert_output --regexp '^".*com\.docker\.compose\.service=web.*"\|<no value>$'
	run --separate-stderr cc ps --format '{{.Name}}   {{- "|" -}}   {{.State}}\n{{.Service}}'
	assert_success
	assert_output "$(printf '%s\n' 'proj-web-1|running' web)"
	run --separate-stderr cc ls --format '{{.Name}}: {{.Status}}'
	assert_success
	assert_output "proj: running(1), exited(1)"
	run --separate-stderr cc ls --format 'table {{.Name}}\t{{.ConfigFiles}}'
	assert_line --index 0 --regexp '^NAME +CONFIG FILES$'
	run --separate-stderr cc images --format '{{.ContainerName}} {{.Repository}}:{{.Tag}}'
	assert_success
	assert_line 'proj-web-1 nginx:latest'
	# what the template cannot do is refused before anything is listed, with the reason
	run cc ps --format '{{range .Publishers}}{{.URL}}{{end}}'
	assert_failure 2
	assert_output --partial '"range" is not supported'
	run cc ps --format '{{.Name'
	assert_failure 2
	assert_output --partial "unclosed action"
	run cc ps --format '{{nosuch .Name}}'
	assert_failure 2
	assert_output --partial 'function "nosuch" not defined'
	run cc ps --format '{{truncate .Name}}'
	assert_failure 2
	assert_output --partial "wrong number of args for truncate"
}

@test "stats takes a Go template with docker's field names" {
	web_and_job
	run --separate-stderr cc_timeout 20 stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemPerc}}'
	assert_success
	assert_output --regexp '^proj-web-1 [0-9]+ [0-9.]+%$'
	run --separate-stderr cc_timeout 20 stats --no-stream --format 'table {{.Name}}\t{{.CPUPerc}}'
	assert_success
	assert_line --index 0 --regexp '^NAME +CPU %$'
	assert_line --index 1 --regexp '^proj-web-1 +[0-9.]+%$'
}

@test "volumes lists the project's volumes, or those the named services mount; help CMD is CMD --help" {
	write compose.yaml <<'EOF'
services:
  a:
    image: busybox
    command: ["sleep", "1000"]
    volumes: [data:/data]
  b:
    image: busybox
    command: ["sleep", "1000"]
    volumes: [other:/o]
volumes:
  data:
  other:
EOF
	cc_ok up -d
	cc volume create not-ours
	run --separate-stderr cc volumes
	assert_success
	assert_line --index 0 --regexp '^DRIVER +VOLUME NAME$'
	assert_line --regexp '^local +proj_data$'
	assert_line --regexp '^local +proj_other$'
	refute_output --partial not-ours
	run --separate-stderr cc volumes -q a
	assert_output proj_data
	run --separate-stderr cc volumes --format '{{.Name}} {{index_free .Name}}' b
	assert_failure 2
	run --separate-stderr cc volumes --format '{{.Name}} {{.Driver}}' b
	assert_output "proj_other local"
	cc volume rm not-ours
	run cc help volumes
	assert_success
	assert_output --partial "Usage: container-compose volumes"
	run cc help
	assert_success
	assert_output --partial "volumes"
}

@test "templates print a map's keys sorted, as Go does; -q and --services ignore a table template's header" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    ports: ["127.0.0.1:18711:80"]
EOF
	cc_ok up -d
	run --separate-stderr cc ps --format '{{.Publishers}}'
	assert_success
	assert_output "[map[Protocol:tcp PublishedPort:18711 TargetPort:80 URL:127.0.0.1]]"
	run --separate-stderr cc ps -q --format 'table {{.Name}}'
	assert_success
	assert_output "$(cid proj-web-1)"
	run --separate-stderr cc ps --services --format 'table {{.Name}}'
	assert_output web
	run --separate-stderr cc ls -q --format 'table {{.Name}}'
	assert_output proj
	run --separate-stderr cc images -q --format 'table {{.ID}}'
	refute_output --partial "IMAGE ID"
	run cc ps --format '{{pad .Name 2147483647 1}}'
	assert_failure
	assert_output --partial "from 0 to 1024"
}
