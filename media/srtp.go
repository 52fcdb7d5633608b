package media

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// SRTPProfile is the one SDES suite we speak (RFC 4568 section 6.2.1).
const SRTPProfile = "AES_CM_128_HMAC_SHA1_80"

const (
	srtpKeyLen   = 16
	srtpSaltLen  = 14
	srtpOverhead = 10 + 4 + 16 // auth tag, SRTCP index, slack
)

// srtpState holds both directions' contexts. The send loop alone encrypts; both receive
// loops decrypt, so decryption is serialised.
type srtpState struct {
	enc    *srtp.Context
	encHdr rtp.Header
	decMu  sync.Mutex
	dec    *srtp.Context
	decHdr rtp.Header
	rtcpH  rtcp.Header
}

func newSRTPState(k SRTPKeys) (*srtpState, error) {
	if k.Profile != "" && k.Profile != SRTPProfile {
		return nil, fmt.Errorf("%w: srtp profile %q (expected %s)", ErrConfig, k.Profile, SRTPProfile)
	}
	if len(k.LocalKey) != srtpKeyLen+srtpSaltLen || len(k.RemoteKey) != srtpKeyLen+srtpSaltLen {
		return nil, fmt.Errorf("%w: srtp keys of %d and %d bytes (expected %d)", ErrConfig, len(k.LocalKey), len(k.RemoteKey), srtpKeyLen+srtpSaltLen)
	}
	enc, err := srtp.CreateContext(k.LocalKey[:srtpKeyLen], k.LocalKey[srtpKeyLen:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		return nil, fmt.Errorf("media: srtp: %w", err)
	}
	dec, err := srtp.CreateContext(k.RemoteKey[:srtpKeyLen], k.RemoteKey[srtpKeyLen:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		return nil, fmt.Errorf("media: srtp: %w", err)
	}
	return &srtpState{enc: enc, dec: dec}, nil
}

func (s *srtpState) encryptRTP(dst, pkt []byte) ([]byte, error) {
	return s.enc.EncryptRTP(dst[:0], pkt, &s.encHdr)
}

func (s *srtpState) decryptRTP(dst, pkt []byte) ([]byte, error) {
	s.decMu.Lock()
	defer s.decMu.Unlock()
	return s.dec.DecryptRTP(dst[:0], pkt, &s.decHdr)
}

func (s *srtpState) encryptRTCP(dst, pkt []byte) ([]byte, error) {
	return s.enc.EncryptRTCP(dst[:0], pkt, nil)
}

func (s *srtpState) decryptRTCP(dst, pkt []byte) ([]byte, error) {
	s.decMu.Lock()
	defer s.decMu.Unlock()
	return s.dec.DecryptRTCP(dst[:0], pkt, &s.rtcpH)
}

// SDESCrypto is one SDP a=crypto attribute (RFC 4568) of the AES_CM_128_HMAC_SHA1_80 suite.
type SDESCrypto struct {
	Tag   int
	Suite string
	Key   []byte // master key followed by master salt, 30 bytes
}

// NewSDESCrypto makes a fresh random key for our offer or answer.
func NewSDESCrypto(tag int) (SDESCrypto, error) {
	k := make([]byte, srtpKeyLen+srtpSaltLen)
	if _, err := rand.Read(k); err != nil {
		return SDESCrypto{}, fmt.Errorf("media: srtp key: %w", err)
	}
	return SDESCrypto{Tag: tag, Suite: SRTPProfile, Key: k}, nil
}

// String is the attribute value: "1 AES_CM_128_HMAC_SHA1_80 inline:KEY".
func (c SDESCrypto) String() string {
	return fmt.Sprintf("%d %s inline:%s", c.Tag, c.Suite, base64.StdEncoding.EncodeToString(c.Key))
}

// ParseSDESCrypto parses an a=crypto value ("a=crypto:" prefix optional). Lifetime and MKI
// parameters ("|2^31|1:1") are accepted only in their no-op forms; session parameters are
// ignored.
func ParseSDESCrypto(v string) (SDESCrypto, error) {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "a=crypto:"))
	f := strings.Fields(v)
	if len(f) < 3 {
		return SDESCrypto{}, fmt.Errorf("%w: crypto %q (expected TAG SUITE inline:KEY)", ErrConfig, v)
	}
	tag, err := strconv.Atoi(f[0])
	if err != nil || tag < 0 || tag > 999999999 {
		return SDESCrypto{}, fmt.Errorf("%w: crypto tag %q", ErrConfig, f[0])
	}
	if f[1] != SRTPProfile {
		return SDESCrypto{}, fmt.Errorf("%w: crypto suite %q (expected %s)", ErrConfig, f[1], SRTPProfile)
	}
	kp, ok := strings.CutPrefix(f[2], "inline:")
	if !ok {
		return SDESCrypto{}, fmt.Errorf("%w: crypto key %q has no inline: method", ErrConfig, f[2])
	}
	// Multiple keys are separated by ';' (RFC 4568 section 6.1); we use the first.
	kp, _, _ = strings.Cut(kp, ";")
	b64, params, _ := strings.Cut(kp, "|")
	for _, p := range strings.Split(params, "|") {
		// An MKI of any value would need the MKI on every packet: refuse it, but take an
		// explicit default lifetime.
		if p != "" && strings.Contains(p, ":") {
			return SDESCrypto{}, fmt.Errorf("%w: crypto MKI %q is not supported", ErrConfig, p)
		}
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil || len(key) != srtpKeyLen+srtpSaltLen {
		return SDESCrypto{}, fmt.Errorf("%w: crypto key is not %d bytes of base64", ErrConfig, srtpKeyLen+srtpSaltLen)
	}
	return SDESCrypto{Tag: tag, Suite: f[1], Key: key}, nil
}
