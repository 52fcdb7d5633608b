// Package eventlog is the intercom's audit trail: who rang whom, who answered, who opened the
// door, lockouts, registration changes. One JSON object per line, {"time", "kind", fields...},
// each line written whole in one write and fsync'd, with size-bounded rotation to path.1.
//
// A failing log must never stop the door: write errors are reported once (then at most once a
// minute) and the log resumes by itself when space returns. Live subscribers (`intercom ctl
// events -f`) get every entry unless they fall behind, in which case entries are dropped for
// them rather than stall the controller.
//
// With a file, it owns one writer goroutine (started by New, stopped by Close), so the
// caller never waits for the disk; every method is safe for concurrent use.
package eventlog
