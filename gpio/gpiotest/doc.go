// Package gpiotest is the fake GPIO chip other packages' tests plug into gpio.Open
// (Options.Driver): inputs are pressed from the test, outputs are recorded with timestamps
// from the injected clock, so a controller test can assert "the lock relay was on from t0 to
// t0+5s and never flickered" without hardware.
//
// The fake sits under a real gpio.Board, so debounce, long press, patterns and pulses are the
// production code. Edge callbacks run synchronously inside Press and Release: once Press
// returns, the Board's debounce timer is armed and clock.Fake.Advance fires it.
package gpiotest
