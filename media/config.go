package media

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Config is the [media] section.
type Config struct {
	// Codecs in preference order: "PCMA", "PCMU", "G722", "L16".
	Codecs []string
	// RTPPorts is "LOW-HIGH", inclusive; RTP takes even ports, RTCP the next odd one.
	RTPPorts string
	// Jitter is the jitter buffer's target delay; it adapts between Jitter and JitterMax.
	Jitter    time.Duration
	JitterMax time.Duration
	// RTPTimeout ends a call after this long without a valid RTP packet; 0 disables it.
	RTPTimeout time.Duration
	// RTPriority is the SCHED_FIFO priority of the media goroutine; 0 = normal scheduling.
	RTPriority int
	// DSCP marks RTP packets (46 = EF); 0 leaves the default.
	DSCP int
	// SRTP is "off", "optional" or "mandatory" (SDES, AES_CM_128_HMAC_SHA1_80).
	SRTP string
	// Ptime is the packet duration.
	Ptime time.Duration
	// DTMFPayloadType is the RFC 4733 telephone-event payload type we offer.
	DTMFPayloadType int
	// DTMFDuration is how long a digit we send lasts (RFC 4733 event or in-band tone) and
	// DTMFGap the pause before the next one: some gate controllers need long digits or
	// half a second between them.
	DTMFDuration, DTMFGap time.Duration
	// STUNServer ("host" or "host:port") is asked for the RTP socket's public address at
	// each call's setup; empty: no STUN.
	STUNServer string
}

// Defaults returns the Config used for keys the file leaves out.
func Defaults() Config {
	return Config{
		Codecs:          []string{"PCMA", "PCMU"},
		RTPPorts:        "10000-10999",
		Jitter:          40 * time.Millisecond,
		JitterMax:       200 * time.Millisecond,
		RTPTimeout:      30 * time.Second,
		RTPriority:      40,
		DSCP:            46,
		SRTP:            "off",
		Ptime:           20 * time.Millisecond,
		DTMFPayloadType: 101,
		DTMFDuration:    100 * time.Millisecond,
		DTMFGap:         100 * time.Millisecond,
	}
}

func knownCodec(name string) bool {
	switch name {
	case "PCMA", "PCMU", "G722", "L16":
		return true
	}
	return false
}

// Validate reports every problem in c, joined.
func (c Config) Validate() error {
	var errs []error
	if len(c.Codecs) == 0 {
		errs = append(errs, cfgerr.New("codecs", "empty (expected e.g. [\"PCMA\", \"PCMU\"])"))
	}
	seen := map[string]bool{}
	for _, name := range c.Codecs {
		if !knownCodec(name) {
			errs = append(errs, cfgerr.New("codecs", "unknown codec %q (expected PCMA, PCMU, G722 or L16)", name))
		}
		if seen[name] {
			errs = append(errs, cfgerr.New("codecs", "%q listed twice", name))
		}
		seen[name] = true
	}
	if _, _, err := ParsePortRange(c.RTPPorts); err != nil {
		errs = append(errs, cfgerr.New("rtp_ports", "%w", err))
	}
	if c.Jitter < 0 || c.Jitter > time.Second {
		errs = append(errs, cfgerr.New("jitter", "%s is out of range (expected 0 to 1s)", c.Jitter))
	}
	if c.JitterMax < c.Jitter {
		errs = append(errs, cfgerr.New("jitter_max", "%s is below jitter %s", c.JitterMax, c.Jitter))
	}
	if c.RTPTimeout < 0 {
		errs = append(errs, cfgerr.New("rtp_timeout", "must not be negative"))
	}
	if c.RTPriority < 0 || c.RTPriority > 99 {
		errs = append(errs, cfgerr.New("rt_priority", "%d is out of range (expected 0 to 99)", c.RTPriority))
	}
	if c.DSCP < 0 || c.DSCP > 63 {
		errs = append(errs, cfgerr.New("dscp", "%d is out of range (expected 0 to 63)", c.DSCP))
	}
	switch c.SRTP {
	case "off", "optional", "mandatory":
	default:
		errs = append(errs, cfgerr.New("srtp", "%q is not one of off, optional, mandatory", c.SRTP))
	}
	switch c.Ptime {
	case 10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond, 40 * time.Millisecond:
	default:
		errs = append(errs, cfgerr.New("ptime", "%s is not supported (expected 10ms, 20ms, 30ms or 40ms)", c.Ptime))
	}
	if c.DTMFPayloadType < 96 || c.DTMFPayloadType > 127 {
		errs = append(errs, cfgerr.New("dtmf_payload_type", "%d is not a dynamic payload type (expected 96 to 127)", c.DTMFPayloadType))
	}
	if c.DTMFDuration < MinDTMFDuration || c.DTMFDuration > MaxDTMFTime {
		errs = append(errs, cfgerr.New("dtmf_duration", "%s is out of range (expected %s to %s)", c.DTMFDuration, MinDTMFDuration, MaxDTMFTime))
	}
	if c.DTMFGap < MinDTMFGap || c.DTMFGap > MaxDTMFTime {
		errs = append(errs, cfgerr.New("dtmf_gap", "%s is out of range (expected %s to %s)", c.DTMFGap, MinDTMFGap, MaxDTMFTime))
	}
	if c.STUNServer != "" {
		if _, _, err := SplitSTUNServer(c.STUNServer); err != nil {
			errs = append(errs, cfgerr.New("stun_server", "%w", err))
		}
	}
	return errors.Join(errs...)
}

// ParsePortRange parses "LOW-HIGH" into an inclusive range of at least two ports.
func ParsePortRange(s string) (low, high int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not a range (expected LOW-HIGH, e.g. \"10000-10999\")", s)
	}
	low, err1 := strconv.Atoi(strings.TrimSpace(a))
	high, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%q is not a range of numbers (expected LOW-HIGH)", s)
	}
	if low < 1024 || high > 65535 || high-low < 1 {
		return 0, 0, fmt.Errorf("%q is out of range (expected 1024 <= LOW < HIGH <= 65535)", s)
	}
	return low, high, nil
}
