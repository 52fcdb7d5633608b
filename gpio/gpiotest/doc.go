// Package gpiotest is the fake GPIO chip other packages' tests plug into gpio.Open
// (Options.Driver): inputs are pressed from the test, outputs are recorded with timestamps
// from the injected clock, so a controller test can assert "the lock relay was on from t0 to
// t0+5s and never flickered" without hardware.
//
// The fake sits under a real gpio.Board, so debounce, long press, patterns and pulses are the
// production code. With a clock.Fake the rhythm of a test is:
//
//	b, fake := gpiotest.Open(t, cfg, clk) // Run is running and watching
//	fake.Press("bell")                    // the edge callback has run when Press returns
//	clk.Advance(cfg.Debounce)             // fires the Board's debounce timer
//	ev := <-b.Events()                    // Press, At = t0 + debounce
//	b.Pulse("door", 5*time.Second)
//	clk.Advance(5 * time.Second)
//	fake.WaitOutput(ctx, "door", false)   // the Board's goroutine has switched it off
//	fake.History("door")                  // [{door false t0} {door true t0+30ms} {door false t0+5.03s}]
//
// After an Advance, wait for its effect (an event, WaitOutput) before the next Advance: the
// Board re-arms its timer before anything becomes visible, so the next step then fires at its
// exact time. Advancing far in one step is allowed too; events keep their exact At, output
// changes are then recorded at the clock's time when the Board caught up.
package gpiotest
