package sip

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestNegotiate(t *testing.T) {
	ours := MediaOffer{
		Addr:            netip.MustParseAddrPort("10.0.0.2:4000"),
		Codecs:          []Codec{pcma, pcmu, l16},
		DTMFPayloadType: 101,
		Ptime:           20 * time.Millisecond,
	}
	for _, tc := range []struct {
		name    string
		sdp     string
		offerer bool
		want    Negotiated
		err     error
	}{
		{
			name: "our order wins",
			sdp: "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
				"m=audio 5000 RTP/AVP 0 8 96\r\na=rtpmap:96 telephone-event/8000\r\na=ptime:30\r\n",
			want: Negotiated{Remote: netip.MustParseAddrPort("10.0.0.1:5000"), Codec: pcma, DTMFPayloadType: 96, Ptime: 30 * time.Millisecond, Direction: "sendrecv"},
		},
		{
			name: "offerer takes answer's first",
			sdp: "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
				"m=audio 5000 RTP/AVP 0 8\r\n",
			offerer: true,
			want:    Negotiated{Remote: netip.MustParseAddrPort("10.0.0.1:5000"), Codec: pcmu, Ptime: 20 * time.Millisecond, Direction: "sendrecv"},
		},
		{
			name: "dynamic L16 with the peer's payload type, media-level c=, sendonly",
			sdp: "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n" +
				"m=audio 5002 RTP/AVP 9 110\r\nc=IN IP4 10.0.0.9\r\na=rtpmap:110 L16/16000\r\na=sendonly\r\n",
			want: Negotiated{Remote: netip.MustParseAddrPort("10.0.0.9:5002"), Codec: Codec{Name: "L16", PayloadType: 110, ClockRate: 16000, Channels: 1}, Ptime: 20 * time.Millisecond, Direction: "recvonly"},
		},
		{
			name: "static types are not invented (GetCodecMap pitfall)",
			sdp: "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
				"m=audio 5000 RTP/AVP 9\r\n",
			err: ErrNoCodec,
		},
		{
			name: "port 0 rejected",
			sdp:  "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 8\r\n",
			err:  ErrNoCodec,
		},
		{
			name: "session-level inactive",
			sdp:  "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=inactive\r\nm=audio 5000 RTP/AVP 8\r\n",
			want: Negotiated{Remote: netip.MustParseAddrPort("10.0.0.1:5000"), Codec: pcma, Ptime: 20 * time.Millisecond, Direction: "inactive"},
		},
		{
			name: "no audio",
			sdp:  "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\n",
			err:  ErrBadSDP,
		},
		{name: "garbage", sdp: "hello", err: ErrBadSDP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rm, err := parseSDP([]byte(tc.sdp))
			var n Negotiated
			if err == nil {
				n, err = negotiate(ours, rm, tc.offerer, "sendrecv")
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.want {
				t.Errorf("got  %+v\nwant %+v", n, tc.want)
			}
		})
	}
}

// TestBuildSDPRoundTrip checks that what we write parses back (through pion) to the same
// stream, and carries every attribute a PBX looks for.
func TestBuildSDPRoundTrip(t *testing.T) {
	o := MediaOffer{Addr: netip.MustParseAddrPort("192.168.1.20:4000"), Codecs: []Codec{pcma, pcmu, g722, l16}, DTMFPayloadType: 101, Ptime: 20 * time.Millisecond}
	body := buildSDP(o, 42, 1, "sendonly")
	for _, want := range []string{"m=audio 4000 RTP/AVP 8 0 9 96 101", "a=rtpmap:96 L16/16000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20", "a=sendonly", "c=IN IP4 192.168.1.20"} {
		if !strings.Contains(string(body), want+"\r\n") {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
	rm, err := parseSDP(body)
	if err != nil {
		t.Fatal(err)
	}
	if rm.addr != o.Addr || len(rm.formats) != 4 || rm.dtmfPT != 101 || rm.direction != "sendonly" || rm.ptime != o.Ptime {
		t.Errorf("round trip: %+v", rm)
	}
	o.Addr = netip.MustParseAddrPort("[2001:db8::1]:4000")
	o.Crypto = "AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
	body = buildSDP(o, 42, 2, "sendrecv")
	if !strings.Contains(string(body), "c=IN IP6 2001:db8::1") || !strings.Contains(string(body), "RTP/SAVP") {
		t.Errorf("ipv6/srtp:\n%s", body)
	}
	rm, err = parseSDP(body)
	if err != nil {
		t.Fatal(err)
	}
	n, err := negotiate(o, rm, false, "sendrecv")
	if err != nil || n.Crypto != o.Crypto {
		t.Errorf("crypto %q err %v", n.Crypto, err)
	}
}

func TestAnswerDirection(t *testing.T) {
	for _, tc := range []struct{ peer, want, got string }{
		{"sendrecv", "sendrecv", "sendrecv"},
		{"sendonly", "sendrecv", "recvonly"},
		{"recvonly", "sendrecv", "sendonly"},
		{"inactive", "sendrecv", "inactive"},
		{"sendrecv", "sendonly", "sendonly"},
		{"sendonly", "sendonly", "inactive"},
	} {
		if got := answerDirection(tc.peer, tc.want); got != tc.got {
			t.Errorf("answerDirection(%s, %s) = %s, want %s", tc.peer, tc.want, got, tc.got)
		}
	}
}

func TestParseDTMFBody(t *testing.T) {
	for _, tc := range []struct {
		ct, body string
		want     rune
		ok       bool
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', true},
		{"application/dtmf-relay", "signal= #\nDuration=100", '#', true},
		{"application/dtmf-relay", "Signal=10\r\n", '*', true},
		{"application/dtmf-relay", "Signal=a", 'A', true},
		{"application/dtmf-relay", "Duration=160", 0, false},
		{"application/dtmf", "7", '7', true},
		{"application/dtmf", "x", 'X', false},
	} {
		d, ok := parseDTMFBody(tc.ct, []byte(tc.body))
		if ok != tc.ok || (ok && d != tc.want) {
			t.Errorf("%s %q: %q %v, want %q %v", tc.ct, tc.body, d, ok, tc.want, tc.ok)
		}
	}
}
