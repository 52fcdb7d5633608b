package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupCredentials: an [[account]]'s backup registrar may have its own user, auth user
// and password (inline or from a file); mistakes are named with file:line.
func TestBackupCredentials(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "backup-secret"), []byte("b4ckup\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "i.toml")
	src := "[[account]]\nregistrar = \"sip:pbx.local\"\nbackup_registrar = \"sip:pbx2.local\"\nuser = \"door\"\npassword = \"s3cret\"\n" +
		"backup_user = \"door2\"\nbackup_auth_user = \"a2\"\nbackup_password_file = \"backup-secret\"\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a := c.SIP.Accounts[0]
	if a.BackupUser != "door2" || a.BackupAuthUser != "a2" || a.BackupPassword != "b4ckup" || a.Password != "s3cret" {
		t.Errorf("account = %+v", a)
	}

	acct := "[[account]]\nregistrar = \"sip:pbx\"\nuser = \"d\"\n"
	for _, tt := range []struct{ name, src, want string }{
		{"user without backup registrar", acct + "backup_user = \"d2\"\n", "f.toml:4: account[0].backup_user: set without backup_registrar"},
		{"password without backup registrar", acct + "\nbackup_password = \"x\"\n", "f.toml:5: account[0].backup_password: set without backup_registrar"},
		{"auth user without backup registrar", acct + "backup_auth_user = \"x\"\n", "f.toml:4: account[0].backup_auth_user: set without backup_registrar"},
		{"password and file", acct + "backup_registrar = \"sip:b\"\nbackup_password = \"x\"\nbackup_password_file = \"s\"\n", "f.toml:6: account[0].backup_password_file: both backup_password and backup_password_file are set"},
		{"missing file", acct + "backup_registrar = \"sip:b\"\nbackup_password_file = \"none\"\n", "f.toml:5: account[0].backup_password_file: cannot read"},
		{"not a string", acct + "backup_registrar = \"sip:b\"\nbackup_user = 7\n", "f.toml:5: account[0].backup_user: is an integer, expected a string"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.toml", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got:\n%v\nwant a line starting %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\"x\"") {
				t.Errorf("the error repeats a secret: %v", err)
			}
		})
	}
}
