// SPDX-License-Identifier: GPL-2.0
/*
 * ktap_runner.hpp - run a GoogleTest program so that a crash or a hang
 * fails one named test and the KTAP plan stays complete
 *
 * A test that kills its program (a driver bug easily ends in SIGBUS) would
 * end the plan early, and one that hangs would show only as the kselftest
 * runner's timeout of the whole program. RunAllTests() makes the program a
 * supervisor: it lists the selected tests (--gtest_list_tests), prints the
 * plan, and starts a worker, the same program in a process group of its
 * own running the tests in order (ktap::RunTestsInThisProcess()), whose
 * KTAP it passes on, numbered within the whole plan. The worker says when
 * each test starts. When it dies, the test it was running is "not ok" and
 * a new worker runs the tests left; a test that runs longer than the
 * timeout has its worker killed, and is "not ok" the same way.
 *
 *	KTAP_TEST_TIMEOUT=S	seconds one test may run (default 300, 0: no limit)
 *
 * Usage:
 *
 *	int main(int argc, char **argv)
 *	{
 *		testing::InitGoogleTest(&argc, argv);
 *		return ktap::RunAllTests();
 *	}
 */

#ifndef MMAPDEMO_KTAP_RUNNER_H
#define MMAPDEMO_KTAP_RUNNER_H

#include "ktap_listener.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ktap {

inline constexpr int kDefaultTestTimeoutSeconds = 300;

namespace detail {

/* The file descriptor on which a worker reports, in the worker. */
inline constexpr int kWorkerEventsFd = 3;

/* The command line as it was before GoogleTest took its flags from argv. */
inline std::vector<std::string> OriginalArguments()
{
	std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
	std::vector<std::string> args;
	std::string arg;

	while (std::getline(cmdline, arg, '\0'))
		args.push_back(arg);
	return args;
}

inline bool StartsWith(const std::string &text, std::string_view prefix)
{
	return text.compare(0, prefix.size(), prefix) == 0;
}

/* A pipe whose ends are above the descriptors a worker is given. */
inline bool MakePipe(int fds[2])
{
	int raw[2];

	if (pipe2(raw, O_CLOEXEC) != 0)
		return false;
	for (int i = 0; i < 2; i++) {
		fds[i] = fcntl(raw[i], F_DUPFD_CLOEXEC, 10);
		close(raw[i]);
	}
	return fds[0] >= 0 && fds[1] >= 0;
}

struct Worker {
	pid_t pid = -1;
	int out = -1;		/* its stdout */
	int events = -1;	/* "start <test>" lines, or -1 */
};

/*
 * Start this program again with @args (argv[0] included) in a process
 * group of its own, its stdout on a pipe; with @events, a second pipe on
 * kWorkerEventsFd, named in the environment.
 */
inline std::optional<Worker> Spawn(const std::vector<std::string> &args, bool events)
{
	int out[2], ev[2] = { -1, -1 };
	std::vector<char *> argv, envp;
	std::string events_env = std::string(kWorkerEventsEnv) + "=" +
				 std::to_string(kWorkerEventsFd);
	std::string tap_level = "KSFT_TAP_LEVEL=1";
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	Worker spawned;

	if (!MakePipe(out))
		return std::nullopt;
	if (events && !MakePipe(ev)) {
		close(out[0]);
		close(out[1]);
		return std::nullopt;
	}
	for (const std::string &arg : args)
		argv.push_back(const_cast<char *>(arg.c_str()));
	argv.push_back(nullptr);
	for (char **var = environ; *var; var++)
		if (!StartsWith(*var, kWorkerEventsEnv) && !StartsWith(*var, "KSFT_TAP_LEVEL="))
			envp.push_back(*var);
	if (events) {
		envp.push_back(events_env.data());
		/* The supervisor prints the header, once. */
		envp.push_back(tap_level.data());
	}
	envp.push_back(nullptr);

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
	if (events)
		posix_spawn_file_actions_adddup2(&actions, ev[1], kWorkerEventsFd);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);

	const int err = posix_spawn(&spawned.pid, "/proc/self/exe", &actions, &attr,
				    argv.data(), envp.data());

	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&actions);
	close(out[1]);
	if (events)
		close(ev[1]);
	if (err != 0) {
		close(out[0]);
		if (events)
			close(ev[0]);
		errno = err;
		return std::nullopt;
	}
	spawned.out = out[0];
	spawned.events = ev[0];
	return spawned;
}

/* "exited with status 1", "was killed by signal 7 (Bus error)". */
inline std::string DescribeStatus(int status)
{
	if (WIFEXITED(status))
		return "exited with status " + std::to_string(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
		       strsignal(WTERMSIG(status)) + ")";
	return "ended with wait status " + std::to_string(status);
}

/* Append what @fd has to @buffer; false at end of file or error. */
inline bool ReadSome(int fd, std::string *buffer)
{
	char chunk[4096];
	ssize_t len;

	do {
		len = read(fd, chunk, sizeof(chunk));
	} while (len < 0 && errno == EINTR);
	if (len <= 0)
		return false;
	buffer->append(chunk, static_cast<size_t>(len));
	return true;
}

/* Take the complete lines out of @buffer. */
inline std::vector<std::string> TakeLines(std::string *buffer)
{
	std::vector<std::string> lines;
	size_t start = 0, end;

	while ((end = buffer->find('\n', start)) != std::string::npos) {
		lines.push_back(buffer->substr(start, end - start));
		start = end + 1;
	}
	buffer->erase(0, start);
	return lines;
}

/* The selected tests, in order, from the program's --gtest_list_tests. */
inline std::optional<std::vector<std::string>> ListTests(std::vector<std::string> args)
{
	std::string out;
	std::vector<std::string> tests;
	std::string suite;
	int status;

	args.push_back("--gtest_list_tests");

	const std::optional<Worker> lister = Spawn(args, false);

	if (!lister)
		return std::nullopt;
	while (ReadSome(lister->out, &out))
		;
	close(lister->out);
	if (waitpid(lister->pid, &status, 0) != lister->pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return std::nullopt;

	/* "Suite.  # TypeParam = ..." then "  Test  # GetParam() = ...". */
	for (std::string &line : TakeLines(&out)) {
		const bool is_test = StartsWith(line, "  ");
		const size_t comment = line.find("  #", is_test ? 2 : 0);

		line = line.substr(is_test ? 2 : 0,
				   comment == std::string::npos ? std::string::npos :
								  comment - (is_test ? 2 : 0));
		if (line.empty())
			continue;
		if (is_test)
			tests.push_back(suite + line);
		else
			suite = line;
	}
	return tests;
}

/* The seconds one test may run: KTAP_TEST_TIMEOUT, else the default. */
inline int TestTimeoutSeconds()
{
	const char *value = std::getenv("KTAP_TEST_TIMEOUT");

	if (value && *value) {
		char *end;
		const long seconds = std::strtol(value, &end, 10);

		if (*end == '\0' && seconds >= 0 && seconds <= 24 * 3600)
			return static_cast<int>(seconds);
		PutDiagnostic("KTAP_TEST_TIMEOUT=" + std::string(value) +
			      " is not a number of seconds: using " +
			      std::to_string(kDefaultTestTimeoutSeconds));
	}
	return kDefaultTestTimeoutSeconds;
}

/* The whole plan: numbers, totals, and which tests are reported. */
class Plan {
public:
	explicit Plan(const std::vector<std::string> &tests) : tests_(tests)
	{
		for (size_t i = 0; i < tests.size(); i++)
			index_[tests[i]] = i;
		reported_.assign(tests.size(), false);
	}

	/*
	 * A worker's line: a result line is renumbered and counted, its plan
	 * and totals are dropped, anything else is passed on.
	 */
	void WorkerLine(const std::string &line)
	{
		const bool ok = StartsWith(line, "ok ");
		const bool not_ok = StartsWith(line, "not ok ");

		if (StartsWith(line, "1..") || StartsWith(line, "# Totals: "))
			return;
		if (!ok && !not_ok) {
			PutLine(line);
			return;
		}

		const size_t number = ok ? 3 : 7;
		const size_t space = line.find(' ', number);
		const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
		const std::string name = rest.substr(0, rest.find(" # "));
		const auto found = index_.find(name);

		if (found == index_.end() || reported_[found->second]) {
			PutDiagnostic("a result the plan does not expect: " + line);
			stray_results_++;
			return;
		}
		reported_[found->second] = true;
		if (not_ok)
			failed_++;
		else if (StartsWith(rest.substr(name.size()), " # SKIP"))
			skipped_++;
		else
			passed_++;
		PutLine((ok ? "ok " : "not ok ") + std::to_string(++number_) + " " + rest);
	}

	/* @test failed with @why, unless a result of it was printed already. */
	void Fail(const std::string &test, const std::string &why)
	{
		const auto found = index_.find(test);

		if (found == index_.end() || reported_[found->second])
			return;
		reported_[found->second] = true;
		failed_++;
		PutDiagnostic(test + ": " + why);
		PutLine("not ok " + std::to_string(++number_) + " " + test);
	}

	std::vector<std::string> Left() const
	{
		std::vector<std::string> left;

		for (size_t i = 0; i < tests_.size(); i++)
			if (!reported_[i])
				left.push_back(tests_[i]);
		return left;
	}

	size_t ReportedCount() const { return static_cast<size_t>(number_); }
	int FailedCount() const { return failed_; }

	int Finish(bool worker_failed_silently) const
	{
		PutLine("# Totals: pass:" + std::to_string(passed_) + " fail:" +
			std::to_string(failed_) + " xfail:0 xpass:0 skip:" +
			std::to_string(skipped_) + " error:0");
		if (failed_ > 0 || stray_results_ > 0 || worker_failed_silently)
			return kExitFail;
		return passed_ == 0 ? kExitSkip : kExitPass;
	}

private:
	std::vector<std::string> tests_;
	std::map<std::string, size_t> index_;
	std::vector<bool> reported_;
	int number_ = 0;
	int passed_ = 0;
	int failed_ = 0;
	int skipped_ = 0;
	int stray_results_ = 0;
};

/*
 * Run the tests @plan has left in one worker, until it ends or a test
 * outlives @timeout_seconds. False when the worker reported nothing and
 * started nothing: running another would not get further.
 */
inline bool RunWorker(const std::vector<std::string> &args, Plan *plan,
		      int timeout_seconds, bool *worker_failed_silently)
{
	using Clock = std::chrono::steady_clock;
	const std::vector<std::string> left = plan->Left();
	std::vector<std::string> worker_args;
	std::string filter = "--gtest_filter=";
	std::string out, events, running;
	std::optional<Clock::time_point> deadline;
	const size_t reported_before = plan->ReportedCount();
	const int failed_before = plan->FailedCount();
	bool timed_out = false;
	int status;

	for (const std::string &test : left)
		filter += (&test == &left.front() ? "" : ":") + test;
	for (const std::string &arg : args)
		if (!StartsWith(arg, "--gtest_filter="))
			worker_args.push_back(arg);
	worker_args.push_back(filter);

	const std::optional<Worker> worker = Spawn(worker_args, true);

	if (!worker) {
		const std::string why = std::string("could not start the test program: ") +
					strerror(errno);

		for (const std::string &test : left)
			plan->Fail(test, why);
		return false;
	}

	struct pollfd fds[2] = {
		{ worker->out, POLLIN, 0 },
		{ worker->events, POLLIN, 0 },
	};

	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		int wait_ms = -1;

		if (deadline) {
			const auto left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
				*deadline - Clock::now()).count();

			wait_ms = static_cast<int>(std::max<long long>(left_ms, 0));
		}

		const int ready = poll(fds, 2, wait_ms);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready == 0 && !timed_out) {
			/* The whole group: a test's own children too. */
			kill(-worker->pid, SIGKILL);
			timed_out = true;
			/* Whatever it printed before it was killed, then the end. */
			deadline = Clock::now() + std::chrono::seconds(5);
			continue;
		}
		if (ready <= 0)
			break;
		if (fds[0].revents && !ReadSome(fds[0].fd, &out)) {
			close(fds[0].fd);
			fds[0].fd = -1;
		}
		for (const std::string &line : TakeLines(&out))
			plan->WorkerLine(line);
		if (fds[1].revents && !ReadSome(fds[1].fd, &events)) {
			close(fds[1].fd);
			fds[1].fd = -1;
		}
		for (const std::string &line : TakeLines(&events)) {
			if (!StartsWith(line, "start "))
				continue;
			running = line.substr(6);
			if (timeout_seconds > 0 && !timed_out)
				deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
		}
	}
	for (const struct pollfd &fd : fds)
		if (fd.fd >= 0)
			close(fd.fd);
	if (!timed_out)
		kill(-worker->pid, SIGKILL);	/* what a test left running */
	while (waitpid(worker->pid, &status, 0) < 0 && errno == EINTR)
		;

	if (timed_out && !running.empty())
		plan->Fail(running, "did not end within " + std::to_string(timeout_seconds) +
				    " s (KTAP_TEST_TIMEOUT): its process was killed");
	else if (!running.empty())
		plan->Fail(running, "the test program " + DescribeStatus(status) +
				    " while it ran");

	if (plan->ReportedCount() == reported_before) {
		for (const std::string &test : plan->Left())
			plan->Fail(test, "not run: the test program " + DescribeStatus(status) +
					 " before it started a test");
		return false;
	}
	/* It failed, yet none of its tests did. */
	if (plan->FailedCount() == failed_before &&
	    !(WIFEXITED(status) && (WEXITSTATUS(status) == kExitPass ||
				    WEXITSTATUS(status) == kExitSkip))) {
		PutDiagnostic("the test program " + DescribeStatus(status) +
			      " though none of its tests failed");
		*worker_failed_silently = true;
	}
	return true;
}

} /* namespace detail */

/* --gtest_list_tests was given: the tests are listed, not run. */
inline bool ListingTests()
{
	/* GTEST_FLAG_GET() is 1.12+. */
#ifdef GTEST_FLAG_GET
	return GTEST_FLAG_GET(list_tests);
#else
	return testing::GTEST_FLAG(list_tests);
#endif
}

/*
 * Run the selected tests (see above) and return the exit code for main().
 * In a worker, run them in this process.
 */
inline int RunAllTests()
{
	if (ListingTests())
		return RUN_ALL_TESTS();
	if (IsWorker()) {
		/* No worker outlives its supervisor. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		return RunTestsInThisProcess();
	}

	const std::vector<std::string> args = detail::OriginalArguments();
	const std::optional<std::vector<std::string>> tests =
		args.empty() ? std::nullopt : detail::ListTests(args);

	if (!tests)
		return FailAll("list-tests", "could not list this program's tests "
			       "(/proc/self/cmdline and --gtest_list_tests)");

	if (!std::getenv("KSFT_TAP_LEVEL"))
		detail::PutLine("TAP version 13");
	if (tests->empty()) {
		detail::PutLine("1..0 # SKIP no test matches the filter");
		return kExitSkip;
	}
	detail::PutLine("1.." + std::to_string(tests->size()));

	const int timeout_seconds = detail::TestTimeoutSeconds();
	detail::Plan plan(*tests);
	bool worker_failed_silently = false;

	while (!plan.Left().empty() &&
	       detail::RunWorker(args, &plan, timeout_seconds, &worker_failed_silently))
		;
	return plan.Finish(worker_failed_silently);
}

} /* namespace ktap */

#endif /* MMAPDEMO_KTAP_RUNNER_H */
