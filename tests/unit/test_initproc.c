/* The record of a container's init (engine/initproc.h) against child processes of the test: a signal
 * reaches the recorded process, never one whose start time differs, and no record means "ask the runtime". */
#include "unit.h"

#include "engine/initproc.h"
#include "engine/procstat.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that waits for signals, named `name` when not NULL; it goes with the test if the test fails. */
static pid_t sleeper_named(const char *name)
{
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (name)
			prctl(PR_SET_NAME, name);
		close(ready[0]);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 0); /* the child's end closed: it is named */
	close(ready[0]);
	return pid;
}

static pid_t sleeper(void)
{
	return sleeper_named(NULL);
}

static char *temp_dir(void)
{
	char tmpl[] = "/tmp/cc-initproc-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

static void remove_dir(char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/init", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void test_signal_reaches_the_recorded_init(void **state)
{
	(void)state;
	char *dir = temp_dir();
	assert_int_equal(native_init_signal(dir, SIGTERM), NATIVE_INIT_UNKNOWN);
	pid_t child = sleeper();
	assert_true(native_init_record(dir, child));
	assert_int_equal(native_init_signal(dir, SIGTERM), NATIVE_INIT_SIGNALLED);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	/* reaped: whatever the pid names now (most likely nothing) is not the init */
	assert_int_equal(native_init_signal(dir, SIGTERM), NATIVE_INIT_GONE);
	native_init_forget(dir);
	assert_int_equal(native_init_signal(dir, SIGTERM), NATIVE_INIT_UNKNOWN);
	remove_dir(dir);
}

static void test_a_recycled_pid_gets_nothing(void **state)
{
	(void)state;
	char *dir = temp_dir();
	pid_t child = sleeper();
	/* the pid of a live process, with a start time that is not its own: as if the init had been reaped
	 * and its pid handed to this process */
	char text[64];
	snprintf(text, sizeof(text), "%d 1\n", (int)child);
	unit_put_file(dir, "init", text);
	assert_int_equal(native_init_signal(dir, SIGKILL), NATIVE_INIT_GONE);
	/* still alive a while later: a SIGKILL would have ended it by then */
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	assert_true(pidfd >= 0);
	struct pollfd p = {pidfd, POLLIN, 0};
	assert_int_equal(poll(&p, 1, 200), 0);
	close(pidfd);
	int status;
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	remove_dir(dir);
}

static void test_an_unreadable_record_asks_the_runtime(void **state)
{
	(void)state;
	char *dir = temp_dir();
	unit_put_file(dir, "init", "not a record\n");
	assert_int_equal(native_init_signal(dir, SIGTERM), NATIVE_INIT_UNKNOWN);
	assert_false(native_init_record(dir, 0));
	remove_dir(dir);
}

static void test_proc_stat_reads_name_state_and_start(void **state)
{
	(void)state;
	struct native_proc_stat me, child_st;
	assert_true(native_proc_stat(getpid(), &me));
	assert_string_equal(me.comm, "test_initproc");
	assert_int_equal(me.state, 'R');
	assert_true(me.start_time > 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	/* ended, not reaped: a zombie, started no earlier than this process */
	siginfo_t info;
	assert_int_equal(waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT), 0);
	assert_true(native_proc_stat(child, &child_st));
	assert_int_equal(child_st.state, 'Z');
	assert_true(child_st.start_time >= me.start_time);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_false(native_proc_stat(child, &child_st));
}

/* the name may hold spaces and parentheses: the fields after it still parse */
static void test_proc_stat_reads_past_an_awkward_name(void **state)
{
	(void)state;
	pid_t child = sleeper_named("a) b (c");
	struct native_proc_stat st;
	assert_true(native_proc_stat(child, &st));
	assert_string_equal(st.comm, "a) b (c");
	assert_true(st.state == 'S' || st.state == 'R');
	assert_true(st.start_time > 0);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, NULL, 0), child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signal_reaches_the_recorded_init),
	    cmocka_unit_test(test_a_recycled_pid_gets_nothing),
	    cmocka_unit_test(test_an_unreadable_record_asks_the_runtime),
	    cmocka_unit_test(test_proc_stat_reads_name_state_and_start),
	    cmocka_unit_test(test_proc_stat_reads_past_an_awkward_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
