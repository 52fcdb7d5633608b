package control

import "time"

// StatsReader is implemented by a Handler that can report the figures of the stats op
// (`intercom ctl stats`): the intercom's app does; a bare controller does not.
type StatsReader interface {
	Stats() Stats
}

// Stats is what an installer looks at when a door misbehaves: how long it has run and whether
// its memory stays flat, what the scanner defence dropped, and the call's audio figures.
type Stats struct {
	Started    time.Time `json:"started"`
	Goroutines int       `json:"goroutines"`
	HeapKB     int64     `json:"heap_kb"` // Go heap in use
	SysKB      int64     `json:"sys_kb"`  // memory the Go runtime holds from the OS

	ScannerDropped uint64 `json:"sip_scanner_dropped"` // requests from scanner User-Agents
	RateDropped    uint64 `json:"sip_rate_dropped"`    // requests over a source's rate
	// UntrustedDropped: requests from outside the trusted networks ([sip.scanner] trusted_only).
	UntrustedDropped uint64 `json:"sip_untrusted_dropped,omitempty"`

	Call *CallStats `json:"call,omitempty"` // the call in progress

	MQTT *MQTTStats `json:"mqtt,omitempty"` // the broker connection, when [mqtt] has a broker

	Actions *ActionStats `json:"actions,omitempty"` // action URLs, when [[action]] is configured

	Events *EventStats `json:"sip_events,omitempty"` // subscriptions and PUBLISH, when [sip.events] is in use
}

// EventStats are the SIP events' figures: phones' BLF and presence subscriptions to the door,
// and its PUBLISH.
type EventStats struct {
	Subscriptions int    `json:"subscriptions"`
	Refused       uint64 `json:"refused"` // SUBSCRIBEs refused: not allowed (403) or no room (503)
	Published     bool   `json:"published"`
	Publishes     int    `json:"publishes"` // PUBLISHes accepted since start
}

// MQTTStats are the broker connection's counters since start (across reloads).
type MQTTStats struct {
	Connected       bool   `json:"connected"`
	Published       uint64 `json:"published"`
	Dropped         uint64 `json:"dropped"` // messages that found the queue to the broker full
	Commands        uint64 `json:"commands"`
	CommandsDropped uint64 `json:"commands_dropped"`
	Refused         uint64 `json:"refused"` // malformed commands, or commands while they are off
	Connects        uint64 `json:"connects"`
	Failures        uint64 `json:"failures"` // failed connection attempts and lost connections
}

// CallStats are the audio figures of the call in progress.
type CallStats struct {
	Remote          string  `json:"remote"` // where RTP goes
	PacketsSent     int64   `json:"packets_sent"`
	PacketsReceived int64   `json:"packets_received"`
	Lost            int64   `json:"lost"`
	Late            int64   `json:"late"`
	Invalid         int64   `json:"invalid"`
	Foreign         int64   `json:"foreign"`
	Concealed       int64   `json:"concealed"`
	Duplicates      int64   `json:"duplicates,omitempty"` // copies of packets already received
	STUN            int64   `json:"stun,omitempty"`       // STUN keepalives and checks on the RTP/RTCP ports
	JitterMS        float64 `json:"jitter_ms"`
	BufferMS        float64 `json:"buffer_ms"` // the jitter buffer's current target
	RTTMS           float64 `json:"rtt_ms"`    // 0 = no RTCP report yet
	PeerLossPct     float64 `json:"peer_loss_pct"`
	SendDBFS        float64 `json:"send_dbfs"`
	RecvDBFS        float64 `json:"recv_dbfs"`

	Voice *VoiceStats `json:"voice,omitempty"` // only when the call's audio is processed
}

// VoiceStats are the hands-free processing's figures: whether the echo canceller works on
// this box (ERLE, half duplex) and what the microphone hears besides the visitor.
type VoiceStats struct {
	ERLEDB        float64 `json:"erle_db"`        // the linear filter's echo loss estimate
	SuppressionDB float64 `json:"suppression_db"` // residual echo suppression, last block
	NoiseDBFS     float64 `json:"noise_dbfs"`     // background noise at the microphone
	GainDB        float64 `json:"agc_gain_db"`
	HalfDuplex    bool    `json:"half_duplex"` // mic attenuated while the far end talks
	Converged     bool    `json:"converged"`
	DelayMS       float64 `json:"delay_ms"` // echo path: AlignMS plus what the processor found
	AlignMS       float64 `json:"align_ms"` // the part taken out by the cards' queues (DELAY)
	Realigned     int     `json:"realigned"`
	Resets        int     `json:"resets"` // xruns that restarted the canceller
	// SpeakerCompressionDB is how much lower the loudspeaker plays a -6 dBFS peak than a
	// linear one, learnt from the echo (0: it plays linearly); a clipping speaker's volume
	// should come down.
	SpeakerCompressionDB float64 `json:"speaker_compression_db,omitempty"`
	// DriftPPM is how far the capture card's clock runs from the playback card's, as the
	// canceller measured it (0 on one card); the reference is resampled by it.
	DriftPPM float64 `json:"drift_ppm,omitempty"`
}

// ActionStats count the action URL requests since start.
type ActionStats struct {
	Sent    uint64 `json:"sent"`
	Failed  uint64 `json:"failed"`  // given up after every retry
	Dropped uint64 `json:"dropped"` // found the queue full
}
