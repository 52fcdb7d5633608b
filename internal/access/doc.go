// Package access decides who may open which relay without a call: residents' PINs and cards,
// one-time guest PINs and a public PIN, each limited by a weekly schedule in the local time
// zone and a validity period.
//
// It owns the users (as typed values: config/ reads and writes the users file), PIN hashing
// and the decision for one credential at one instant. It knows no keypad, reader, GPIO line
// or protocol, and it keeps no lockout: wrong attempts are counted by the door controller,
// the same code that counts wrong DTMF door codes.
//
// PINs are stored as argon2id hashes. A keypad gives a PIN, not a user name, so every stored
// PIN has to be compared: PINs that share a salt (the users tool gives one file one salt) are
// derived once per attempt, then compared in constant time against every entry.
package access
