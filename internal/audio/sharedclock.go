package audio

import "github.com/doorsip/intercom/alsa"

// sharedClock is what a processor offers when it can be told that capture and playback run
// on one clock (*voice.Processor: no drift resampler, and none of its latency).
type sharedClock interface{ SharedClock() }

// sameCard reports whether two device names are one sound card (their PCMs then share the
// card's clock). Names that spell one card two ways ("hw:0" and "hw:PCH") count as two: the
// processor then finds no drift between them and stays as fast.
func sameCard(a, b string) bool {
	na, err := alsa.ParseName(a)
	if err != nil {
		return false
	}
	nb, err := alsa.ParseName(b)
	return err == nil && na.Card == nb.Card
}
