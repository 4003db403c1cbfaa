// SPDX-License-Identifier: GPL-2.0
/*
 * ktap_listener.hpp - report GoogleTest results as KTAP for kselftest
 *
 * GoogleTest prints its own human-oriented format; the kselftest runner and
 * the CI systems that parse kselftest logs expect KTAP (TAP version 13 with
 * "# " diagnostic lines), as produced by kselftest.h. KtapListener replaces
 * GoogleTest's default result printer so that everything on stdout is KTAP:
 *
 *	TAP version 13
 *	1..3
 *	ok 1 Suite.Passes
 *	# file.cpp:42: Failure
 *	# Expected equality of these values: ...
 *	not ok 2 Suite.Fails
 *	ok 3 Suite.Skips # SKIP no device
 *	# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
 *
 * Test names are "<suite>.<test>", so parameterised tests read
 * "Suite.Test/param" (or "Prefix/Suite.Test/param" with an instantiation
 * prefix). Numbers follow execution order, so --gtest_shuffle is fine; the
 * plan counts the tests left after --gtest_filter. One run per process:
 * --gtest_repeat would print one KTAP document per iteration.
 *
 * A failure outside a test is charged to a test: one in a set-up makes
 * the tests GoogleTest then skips "not ok", one in a tear-down the test
 * before it. A test program runs its tests through ktap_runner.hpp, whose
 * supervisor restarts the program after a crash and stops a test that
 * hangs; RunTestsInThisProcess() is what each of its workers runs.
 *
 * Tests must not write to stdout themselves; diagnostics belong in
 * assertion messages (or ktap::PrintDiagnostic()).
 */

#ifndef MMAPDEMO_KTAP_LISTENER_H
#define MMAPDEMO_KTAP_LISTENER_H

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <unistd.h>

namespace ktap {

/*
 * Exit codes the kselftest runner understands (runner.sh maps 0 to "ok",
 * 4 to "ok ... # SKIP", anything else but 2 and 124 to "not ok"). They are
 * KSFT_PASS, KSFT_FAIL and KSFT_SKIP of kselftest.h; they are repeated
 * here so the listener also builds outside the kernel tree, and checked
 * against kselftest.h below whenever that header is on the include path.
 */
inline constexpr int kExitPass = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitSkip = 4;

/*
 * Set in a test program that ktap_runner.hpp's supervisor started: the
 * file descriptor on which it is told when each test starts.
 */
inline constexpr const char kWorkerEventsEnv[] = "KTAP_WORKER_EVENTS_FD";

inline bool IsWorker()
{
	return std::getenv(kWorkerEventsEnv) != nullptr;
}

namespace detail {

/*
 * Every line is flushed at once, so that KTAP lines and the crash report
 * below (which uses write(2)) never reorder, and so that a fork()ed child
 * has no pending output to flush a second copy of.
 */
inline void PutLine(const std::string &line)
{
	std::fputs(line.c_str(), stdout);
	std::fputc('\n', stdout);
	std::fflush(stdout);
}

/* Prefix every line of @text with "# " so it stays a KTAP diagnostic. */
inline void PutDiagnostic(std::string_view text)
{
	while (!text.empty()) {
		const size_t end = text.find('\n');
		PutLine("# " + std::string(text.substr(0, end)));
		if (end == std::string_view::npos)
			break;
		text.remove_prefix(end + 1);
	}
}

/* A skip reason must fit on the result line: fold its lines together. */
inline std::string OneLine(std::string_view text)
{
	std::string line;

	for (char c : text)
		line += (c == '\n' || c == '\r') ? ' ' : c;
	while (!line.empty() && line.back() == ' ')
		line.pop_back();
	return line;
}

inline std::string FullName(const testing::TestInfo &test_info)
{
	return std::string(test_info.test_suite_name()) + "." +
	       test_info.name();
}

inline std::string SkipReason(const testing::TestResult &result)
{
	for (int i = 0; i < result.total_part_count(); i++) {
		const testing::TestPartResult &part = result.GetTestPartResult(i);

		if (part.skipped())
			return OneLine(part.message());
	}
	return "";
}

/*
 * What the fatal-signal handler prints when a test crashes (a driver bug
 * can easily end in SIGBUS or SIGSEGV). It is prepared in OnTestStart()
 * because a signal handler may only call async-signal-safe functions.
 */
inline char crash_report[512];
inline volatile sig_atomic_t crash_report_len;
/* A test's fork()ed child that crashes must not report the test again. */
inline pid_t crash_report_pid;

inline constexpr int kFatalSignals[] = {
	SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV,
};

inline void ReportCrash(int sig)
{
	if (crash_report_len > 0 && getpid() == crash_report_pid) {
		ssize_t unused = write(STDOUT_FILENO, crash_report,
				       crash_report_len);
		(void)unused;
	}
	/* Die of the same signal so the exit status still tells the story. */
	std::signal(sig, SIG_DFL);
	std::raise(sig);
}

} /* namespace detail */

/* Print @text as KTAP diagnostic lines ("# ..."). */
inline void PrintDiagnostic(std::string_view text)
{
	detail::PutDiagnostic(text);
}

class KtapListener : public testing::EmptyTestEventListener {
public:
	void OnTestIterationStart(const testing::UnitTest &unit_test,
				  int /* iteration */) override
	{
		planned_ = unit_test.test_to_run_count();
		/* kselftest.h leaves the header to a wrapper that sets this. */
		if (!std::getenv("KSFT_TAP_LEVEL"))
			detail::PutLine("TAP version 13");
		if (planned_ == 0)
			detail::PutLine("1..0 # SKIP no test matches the filter");
		else
			detail::PutLine("1.." + std::to_string(planned_));
	}

	void OnEnvironmentsSetUpStart(const testing::UnitTest & /* unit_test */) override
	{
		phase_ = Phase::kEnvironmentSetUp;
	}

	void OnTestSuiteStart(const testing::TestSuite & /* suite */) override
	{
		phase_ = Phase::kSuiteSetUp;
		suite_set_up_failed_ = false;
	}

	void OnTestStart(const testing::TestInfo &test_info) override
	{
		FlushPendingResult();
		phase_ = Phase::kTest;
		SetCrashReport("# " + detail::FullName(test_info) +
			       ": killed by a fatal signal\nnot ok " +
			       std::to_string(number_ + 1) + " " +
			       detail::FullName(test_info) + "\n");
		if (const char *fd = std::getenv(kWorkerEventsEnv)) {
			/* The supervisor times the test from here (ktap_runner.hpp). */
			const std::string event = "start " + detail::FullName(test_info) + "\n";
			ssize_t unused = write(std::atoi(fd), event.data(), event.size());
			(void)unused;
		}
	}

	/*
	 * Failures are printed as soon as they happen, before the result line,
	 * which is where kselftest.h tests print their diagnostics too. A
	 * failure outside any test is charged to the tests it concerns: one in
	 * a set-up (an environment's or a suite's) to every test after it that
	 * GoogleTest then skips, one in a tear-down to the test before it.
	 */
	void OnTestPartResult(const testing::TestPartResult &part) override
	{
		if (!part.failed())
			return;

		const char *file = part.file_name() ? part.file_name()
						    : "unknown file";
		std::string where = file;

		if (part.line_number() >= 0)
			where += ":" + std::to_string(part.line_number());
		detail::PutDiagnostic(where + ": Failure");
		detail::PutDiagnostic(part.message());

		switch (phase_) {
		case Phase::kEnvironmentSetUp:
			environment_set_up_failed_ = true;
			break;
		case Phase::kSuiteSetUp:
			suite_set_up_failed_ = true;
			break;
		case Phase::kAfterTest:
		case Phase::kEnvironmentTearDown:
			/* With no test before it, the exit code tells. */
			if (pending_)
				pending_->torn_down_badly = true;
			break;
		case Phase::kTest:
			break;
		}
	}

	void OnTestEnd(const testing::TestInfo &test_info) override
	{
		const testing::TestResult &result = *test_info.result();
		PendingResult pending;

		pending.name = std::to_string(++number_) + " " +
			       detail::FullName(test_info);
		if (result.Failed()) {
			pending.outcome = Verdict::kFail;
		} else if (result.Skipped() &&
			   (environment_set_up_failed_ || suite_set_up_failed_)) {
			pending.outcome = Verdict::kFail;
			pending.why = detail::FullName(test_info) +
				      ": not run: a set-up before it failed (" +
				      (environment_set_up_failed_ ? "an environment's SetUp()" :
				       "SetUpTestSuite()") + ", above)";
		} else if (result.Skipped()) {
			pending.outcome = Verdict::kSkip;
			pending.why = detail::SkipReason(result);
		} else {
			pending.outcome = Verdict::kPass;
		}
		/*
		 * The line waits for what runs after the test (a suite's or an
		 * environment's tear-down); a crash there still reports it.
		 */
		SetCrashReport("# " + detail::FullName(test_info) +
			       ": killed by a fatal signal in a tear-down after it\nnot ok " +
			       pending.name + "\n");
		pending_ = pending;
		phase_ = Phase::kAfterTest;
	}

	void OnTestSuiteEnd(const testing::TestSuite & /* suite */) override
	{
		phase_ = Phase::kAfterTest;
	}

	void OnEnvironmentsTearDownStart(const testing::UnitTest & /* unit_test */) override
	{
		phase_ = Phase::kEnvironmentTearDown;
	}

	void OnTestIterationEnd(const testing::UnitTest & /* unit_test */,
				int /* iteration */) override
	{
		FlushPendingResult();
		/* Like ksft_exit_skip(): an empty plan gets no totals. */
		if (planned_ == 0)
			return;
		detail::PutLine("# Totals: pass:" + std::to_string(passed_) +
				" fail:" + std::to_string(failed_) +
				" xfail:0 xpass:0 skip:" +
				std::to_string(skipped_) + " error:0");
	}

private:
	/* Where the failures GoogleTest reports come from. */
	enum class Phase {
		kEnvironmentSetUp, kSuiteSetUp, kTest, kAfterTest, kEnvironmentTearDown,
	};
	enum class Verdict { kPass, kFail, kSkip };
	struct PendingResult {
		std::string name;	/* "<number> <suite>.<test>" */
		Verdict outcome = Verdict::kPass;
		std::string why;	/* a skip's reason, or a diagnostic */
		bool torn_down_badly = false;
	};

	static void SetCrashReport(const std::string &report)
	{
		const size_t len = std::min(report.size(), sizeof(detail::crash_report));

		detail::crash_report_len = 0;
		std::memcpy(detail::crash_report, report.data(), len);
		detail::crash_report_len = static_cast<sig_atomic_t>(len);
	}

	void FlushPendingResult()
	{
		detail::crash_report_len = 0;
		if (!pending_)
			return;

		const PendingResult result = *pending_;

		pending_.reset();
		if (result.torn_down_badly) {
			failed_++;
			detail::PutDiagnostic(result.name.substr(result.name.find(' ') + 1) +
					      ": a tear-down after it failed (above)");
			detail::PutLine("not ok " + result.name);
		} else if (result.outcome == Verdict::kFail) {
			failed_++;
			if (!result.why.empty())
				detail::PutDiagnostic(result.why);
			detail::PutLine("not ok " + result.name);
		} else if (result.outcome == Verdict::kSkip) {
			skipped_++;
			detail::PutLine("ok " + result.name + " # SKIP" +
					(result.why.empty() ? "" : " " + result.why));
		} else {
			passed_++;
			detail::PutLine("ok " + result.name);
		}
	}

	int planned_ = 0;
	int number_ = 0;
	int passed_ = 0;
	int failed_ = 0;
	int skipped_ = 0;
	Phase phase_ = Phase::kAfterTest;
	bool environment_set_up_failed_ = false;
	bool suite_set_up_failed_ = false;
	std::optional<PendingResult> pending_;
};

/*
 * Make KTAP the only thing GoogleTest prints on stdout: remove the default
 * result printer, add KtapListener, and report crashes inside a test as
 * "not ok". Call it once, after testing::InitGoogleTest().
 */
inline void InstallListener()
{
	testing::TestEventListeners &listeners =
		testing::UnitTest::GetInstance()->listeners();

	delete listeners.Release(listeners.default_result_printer());
	listeners.Append(new KtapListener);

	detail::crash_report_pid = getpid();
	for (int sig : detail::kFatalSignals)
		std::signal(sig, detail::ReportCrash);
}

/*
 * The kselftest exit code of a finished run: any failure (also one outside
 * a test) is KSFT_FAIL; a run in which nothing passed, because every test
 * was skipped or none was selected, is KSFT_SKIP.
 */
inline int ExitCode(const testing::UnitTest &unit_test)
{
	if (unit_test.Failed())
		return kExitFail;
	if (unit_test.successful_test_count() == 0)
		return kExitSkip;
	return kExitPass;
}

/* InstallListener(), run every selected test, return the exit code. */
inline int RunTestsInThisProcess()
{
	InstallListener();

	const int gtest_status = RUN_ALL_TESTS();
	const int exit_code = ExitCode(*testing::UnitTest::GetInstance());

	/* Never turn a run GoogleTest calls failed into a pass or a skip. */
	return gtest_status != 0 ? kExitFail : exit_code;
}

/*
 * Skip the whole program before any test runs, as ksft_exit_skip() does:
 * print an empty plan with the reason and return KSFT_SKIP for main().
 */
inline int SkipAll(std::string_view reason)
{
	if (!std::getenv("KSFT_TAP_LEVEL"))
		detail::PutLine("TAP version 13");
	detail::PutLine("1..0 # SKIP " + detail::OneLine(reason));
	return kExitSkip;
}

/*
 * Fail the whole program before any test runs (its precondition is
 * broken, not absent): one "not ok" test named @name, with @reason as its
 * diagnostic, and KSFT_FAIL for main().
 */
inline int FailAll(std::string_view name, std::string_view reason)
{
	if (!std::getenv("KSFT_TAP_LEVEL"))
		detail::PutLine("TAP version 13");
	detail::PutLine("1..1");
	detail::PutDiagnostic(reason);
	detail::PutLine("not ok 1 " + std::string(name));
	detail::PutLine("# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0");
	return kExitFail;
}

} /* namespace ktap */

#if defined(__has_include)
#if __has_include("kselftest.h")
#include "kselftest.h"
static_assert(ktap::kExitPass == KSFT_PASS &&
	      ktap::kExitFail == KSFT_FAIL &&
	      ktap::kExitSkip == KSFT_SKIP,
	      "ktap exit codes must match kselftest.h");
#endif
#endif

#endif /* MMAPDEMO_KTAP_LISTENER_H */
