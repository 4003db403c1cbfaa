// SPDX-License-Identifier: GPL-2.0
/*
 * run_program.h - run a program and capture what it did, for host tests
 *
 * The host tests check programs from the outside: their exact stdout
 * (KTAP), their stderr and how they ended (exit code or signal).
 */

#ifndef MMAPDEMO_HOST_RUN_PROGRAM_H
#define MMAPDEMO_HOST_RUN_PROGRAM_H

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace host {

struct RunResult {
	std::string out;	/* everything written to stdout */
	std::string err;	/* everything written to stderr */
	int exit_code = -1;	/* -1 if the program did not exit normally */
	int signal = 0;		/* the signal that killed it, if one did */
	std::string spawn_error;	/* why it could not be started */
};

/* Split captured output into lines, dropping the final newline. */
inline std::vector<std::string> Lines(const std::string &text)
{
	std::vector<std::string> lines;
	std::istringstream stream(text);
	std::string line;

	while (std::getline(stream, line))
		lines.push_back(line);
	return lines;
}

/* The name part of "NAME=value" (all of it if there is no '='). */
inline std::string EnvName(const std::string &entry)
{
	return entry.substr(0, entry.find('='));
}

/*
 * Run @argv (argv[0] is looked up in $PATH) and wait for it. @env_changes
 * are "NAME=value" to set a variable and "NAME" to remove one; stdin is
 * read from @stdin_path.
 */
inline RunResult Run(const std::vector<std::string> &argv,
		     const std::vector<std::string> &env_changes = {},
		     const std::string &stdin_path = "/dev/null")
{
	RunResult result;
	std::vector<std::string> env_strings;

	for (char **entry = environ; *entry; entry++) {
		bool changed = false;

		for (const std::string &change : env_changes)
			if (EnvName(change) == EnvName(*entry))
				changed = true;
		if (!changed)
			env_strings.push_back(*entry);
	}
	for (const std::string &change : env_changes)
		if (change.find('=') != std::string::npos)
			env_strings.push_back(change);

	std::vector<char *> c_argv, c_env;

	for (const std::string &arg : argv)
		c_argv.push_back(const_cast<char *>(arg.c_str()));
	c_argv.push_back(nullptr);
	for (const std::string &entry : env_strings)
		c_env.push_back(const_cast<char *>(entry.c_str()));
	c_env.push_back(nullptr);

	int out_pipe[2], err_pipe[2];

	if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
		result.spawn_error = std::string("pipe: ") + std::strerror(errno);
		return result;
	}

	posix_spawn_file_actions_t actions;

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO,
					 stdin_path.c_str(), O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);

	pid_t pid;
	const int err = posix_spawnp(&pid, c_argv[0], &actions, nullptr,
				     c_argv.data(), c_env.data());

	posix_spawn_file_actions_destroy(&actions);
	close(out_pipe[1]);
	close(err_pipe[1]);
	if (err) {
		close(out_pipe[0]);
		close(err_pipe[0]);
		result.spawn_error = argv[0] + ": " + std::strerror(err);
		return result;
	}

	/* Drain both pipes together so neither can fill up and stall the child. */
	struct pollfd fds[2] = {
		{ out_pipe[0], POLLIN, 0 },
		{ err_pipe[0], POLLIN, 0 },
	};
	std::string *sinks[2] = { &result.out, &result.err };
	int open_pipes = 2;

	while (open_pipes > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			char buf[4096];

			if (fds[i].fd < 0 || !fds[i].revents)
				continue;

			const ssize_t len = read(fds[i].fd, buf, sizeof(buf));

			if (len > 0) {
				sinks[i]->append(buf, len);
			} else if (len == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_pipes--;
			}
		}
	}

	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		result.exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		result.signal = WTERMSIG(status);
	return result;
}

/* A readable account of a run, for assertion messages. */
inline std::string Describe(const RunResult &result)
{
	std::ostringstream text;

	if (!result.spawn_error.empty())
		text << "could not start: " << result.spawn_error << "\n";
	text << "exit code " << result.exit_code << ", signal " << result.signal
	     << "\n--- stdout ---\n" << result.out
	     << "--- stderr ---\n" << result.err;
	return text.str();
}

} /* namespace host */

#endif /* MMAPDEMO_HOST_RUN_PROGRAM_H */
