package sip

import (
	"net/netip"
	"testing"
	"time"
)

// FuzzNegotiate feeds arbitrary descriptions to the SDP parser and both negotiation roles:
// no panic, and any result names a codec we offered with the direction vocabulary.
func FuzzNegotiate(f *testing.F) {
	f.Add("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\na=sendonly\r\n")
	f.Add("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 96\r\nc=IN IP6 ::1\r\na=rtpmap:96 L16/16000/2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc\r\n")
	f.Add("v=0\r\ns=-\r\nm=audio 0 RTP/AVP 8\r\n")
	f.Add("")
	ours := MediaOffer{Addr: netip.MustParseAddrPort("127.0.0.1:4000"), Codecs: []Codec{pcma, pcmu, g722, l16}, DTMFPayloadType: 101, Ptime: 20 * time.Millisecond, Crypto: "AES_CM_128_HMAC_SHA1_80 inline:x"}
	f.Fuzz(func(t *testing.T, body string) {
		rm, err := parseSDP([]byte(body))
		if err != nil {
			return
		}
		for _, offerer := range []bool{false, true} {
			n, err := negotiate(ours, rm, offerer, "sendrecv")
			if err != nil {
				continue
			}
			found := false
			for _, c := range ours.Codecs {
				if sameCodec(c, n.Codec) {
					found = true
				}
			}
			if !found || !isDirection(n.Direction) {
				t.Fatalf("negotiated %+v", n)
			}
			_ = buildSDP(answerOffer(ours, n), 1, 1, n.Direction)
		}
	})
}

// FuzzDTMFBody: INFO bodies from the network never panic and only yield DTMF digits.
func FuzzDTMFBody(f *testing.F) {
	f.Add("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n")
	f.Add("application/dtmf", "#")
	f.Add("application/dtmf-relay", "Signal=\r\n")
	f.Fuzz(func(t *testing.T, ct, body string) {
		if d, ok := parseDTMFBody(ct, []byte(body)); ok && !validDigit(d) {
			t.Fatalf("digit %q accepted", d)
		}
	})
}

// FuzzCheckRequest: our request validation over whatever sipgo's parser accepts.
func FuzzCheckRequest(f *testing.F) {
	f.Add("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContact: <sip:x@192.0.2.1>\r\nRequire: foo\r\nContent-Length: 0\r\n\r\n")
	f.Add("OPTIONS sip:a@b SIP/2.0\r\nMax-Forwards: 0\r\nContent-Length: 0\r\n\r\n")
	f.Fuzz(func(t *testing.T, msg string) {
		checkMessage([]byte(msg))
	})
}
