// Package voice is the hands-free processing of the microphone path: an echo canceller that
// removes what the door's own loudspeaker put into its microphone, a residual echo and noise
// suppressor with comfort noise, an automatic gain control and a limiter.
//
// It works on 16-bit mono frames at 8 or 16 kHz and knows nothing of sound cards, RTP or
// SIP: its owner (internal/audio) hands it each captured frame together with the samples
// that were played at the same moment (the echo reference) and sends on what it returns.
//
// It owns the whole chain and its state: the reference history and the delay estimate (the
// reference may arrive up to 300 ms early: two sound cards, a coarse PCM delay), the
// reference's resampling to the microphone's clock (two cards drift apart), the two adaptive
// filters, the noise and echo estimates, the AGC's level. It does not buffer beyond that, and
// does not decide when a call's path changed (its owner calls Reset after an xrun or for a
// new call).
//
// Nothing here allocates per frame, starts a goroutine or reads the time. README.md has the
// algorithm and its figures.
package voice
