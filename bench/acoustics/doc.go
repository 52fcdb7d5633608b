// Command acoustics is the hands-free acoustics benchmark: it builds door-station signals
// (espeak-ng speech for both ends, image-source room responses, a speaker beside the
// microphone, loudspeaker clipping, road and fan noise, a delay jump, an echo-path change and
// two sound cards drifting apart), runs the intercom's voice processing and speexdsp (and
// webrtc-audio-processing when it builds) on the very same samples, and writes a table and
// ERLE plots to bench/results/.
//
// The peers run as small C/C++ helpers compiled here from csrc/ when their headers are
// installed; nothing of them is linked into the intercom. bench/README.md says how each figure
// is computed.
package main
