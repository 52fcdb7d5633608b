// Package systemd holds no Go code: it is where the unit (intercom.service), its sysusers
// and udev files, verify.sh and deploy.sh live. Its test runs them (systemd-analyze verify
// and security, shellcheck of every script that runs on the build host or the board) so
// `go test ./...` checks what ships to the board.
package systemd
