// Package media is the intercom's audio path for one call: RTP send and receive (pion/rtp),
// codecs (G.711 A-law/µ-law, L16, experimental G.722), the adaptive jitter buffer with loss
// concealment, RFC 4733 and in-band DTMF, RTCP reports, sample-rate and channel conversion, and
// the real-time loops paced by the sound card's clock.
//
// It owns the RTP socket it is given and the goroutines a Session starts. It knows nothing of
// SIP, GPIO or ALSA: the controller hands it a negotiated SessionConfig and a Capture/Playback
// pair (an ALSA PCM adapted by internal/audio, or the tone, silence, WAV and null devices
// here, which pace themselves with the injected clock). The 20 ms path allocates nothing once
// a Session runs.
package media
