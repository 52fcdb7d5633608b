// Package eventlog is the intercom's audit trail: who rang whom, who answered, who opened the
// door, lockouts, registration changes. One JSON object per line, {"time", "kind", fields...},
// each line written whole in one write and fsync'd, with size-bounded rotation to path.1.
//
// A failing log must never stop the door: write errors are reported once (then at most once a
// minute) and the log resumes by itself when space returns. Live subscribers (`intercom ctl
// events -f`) get every entry unless they fall behind, in which case entries are dropped for
// them rather than stall the controller.
//
// Noise (refused calls, cards refused while locked out) goes through AddFrom, which folds it per
// source and minute into one line with a count; security kinds (Config.Security: the door
// opening, lockouts, tamper, alarms) are also written to a file of their own, SecurityPath, so
// no flood can rotate them out.
//
// With a file, it owns one writer goroutine (started by New, stopped by Close), so the
// caller never waits for the disk; every method is safe for concurrent use.
package eventlog
