package access

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs.
type Params struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultParams is OWASP's argon2id minimum (19 MiB, 2 passes): tens of milliseconds on a
// Raspberry Pi 4 per keypad attempt, done off the door's state machine.
func DefaultParams() Params { return Params{Time: 2, Memory: 19 * 1024, Threads: 1} }

// maxMemory bounds what a stored hash may ask for (256 MiB), so a typo in the users file
// cannot make each keypad attempt exhaust the board's RAM.
const (
	maxMemory = 256 * 1024
	maxTime   = 16
	keyLen    = 32
	saltLen   = 16
	minDigits = 4
	maxDigits = 12
)

// PIN is one stored PIN: its argon2id hash in PHC form.
type PIN struct {
	p    Params
	salt []byte
	hash []byte
}

// NewSalt returns a random salt for HashPIN.
func NewSalt() []byte {
	s := make([]byte, saltLen)
	_, _ = rand.Read(s) // crypto/rand.Read never fails on Linux
	return s
}

// CheckPINText reports whether pin is 4 to 12 digits.
func CheckPINText(pin string) error {
	if len(pin) < minDigits || len(pin) > maxDigits {
		return fmt.Errorf("%w: %d digits (expected %d to %d)", ErrPIN, len(pin), minDigits, maxDigits)
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return fmt.Errorf("%w: not only digits (expected %d to %d digits)", ErrPIN, minDigits, maxDigits)
		}
	}
	return nil
}

// HashPIN hashes pin with salt. Users in one file share a salt, so a keypad attempt is
// derived once (see Directory.CheckPIN).
func HashPIN(pin string, salt []byte, p Params) (PIN, error) {
	if err := CheckPINText(pin); err != nil {
		return PIN{}, err
	}
	if err := p.check(); err != nil {
		return PIN{}, err
	}
	s := append([]byte(nil), salt...)
	return PIN{p: p, salt: s, hash: derive(pin, s, p, keyLen)}, nil
}

func derive(pin string, salt []byte, p Params, n int) []byte {
	return argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, uint32(n))
}

func (p Params) check() error {
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory {
		return fmt.Errorf("%w: t=%d m=%d p=%d (expected t 1 to %d, m %d to %d KiB, p at least 1)",
			ErrHash, p.Time, p.Memory, p.Threads, maxTime, 8*uint32(max(p.Threads, 1)), maxMemory)
	}
	return nil
}

// String is the PHC form stored in the users file:
// $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH.
func (p PIN) String() string {
	if p.hash == nil {
		return ""
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.p.Memory, p.p.Time, p.p.Threads,
		base64.RawStdEncoding.EncodeToString(p.salt), base64.RawStdEncoding.EncodeToString(p.hash))
}

// Salt returns the PIN's salt, for hashing another PIN of the same file.
func (p PIN) Salt() []byte { return append([]byte(nil), p.salt...) }

// Params returns the PIN's costs.
func (p PIN) Params() Params { return p.p }

// ParsePIN reads a stored hash in PHC form.
func ParsePIN(s string) (PIN, error) {
	bad := func(why string) (PIN, error) {
		return PIN{}, fmt.Errorf("%w: %s (expected $argon2id$v=19$m=...,t=...,p=...$salt$hash, as written by intercom users)", ErrHash, why)
	}
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return bad("not an argon2id hash")
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version " + f[2])
	}
	var p Params
	for kv := range strings.SplitSeq(f[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad("parameter " + kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return bad("parameter " + kv)
			}
			p.Threads = uint8(n)
		default:
			return bad("parameter " + kv)
		}
	}
	if err := p.check(); err != nil {
		return PIN{}, err
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(f[4])
	hash, err2 := base64.RawStdEncoding.DecodeString(f[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(hash) < 16 || len(hash) > 64 {
		return bad("salt or hash")
	}
	return PIN{p: p, salt: salt, hash: hash}, nil
}

// groupKey identifies PINs that one derivation serves.
func (p PIN) groupKey() string {
	return fmt.Sprintf("%d,%d,%d,%d$%s", p.p.Memory, p.p.Time, p.p.Threads, len(p.hash), p.salt)
}
