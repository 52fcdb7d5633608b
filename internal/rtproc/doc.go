// Package rtproc moves the whole intercom process between the real-time scheduling it was
// started with and normal scheduling.
//
// The systemd unit starts the intercom under SCHED_FIFO 10 (CPUSchedulingPolicy=fifo) so that
// the Go runtime thread that wakes the media loop is not delayed by normal-priority load. But
// systemd sets the policy on the process's first thread only, with SCHED_RESET_ON_FORK
// (CPUSchedulingResetOnFork=yes), and the kernel applies reset-on-fork to new threads too: every
// thread the Go runtime starts came up under SCHED_OTHER, and only the main thread ran
// real-time. The unit's policy also covered what should not run real-time: the start-up (every
// package's init, config, TLS keys) and ExecStopPost's `intercom safe`, on a one-core Pi Zero
// a second of CPU that starved systemd and journald ("sched: RT throttling activated").
//
// So the intercom reads the policy it was started with (Started), runs its start-up under
// normal scheduling (SetAll with the zero Policy), and once it is ready puts every thread, and
// so every thread started later, under that policy (SetAll). `intercom safe` drops to normal
// scheduling and stays there. A process started under normal scheduling (tests, a shell) is
// never touched.
//
// The package starts no goroutines and holds no state.
package rtproc
