package config

import "github.com/doorsip/intercom/sip"

// readBackupCredentials reads an [[account]]'s credentials for its backup registrar.
func (c *Config) readBackupCredentials(r *reader, a map[string]any, p, dir string, acc *sip.Account) {
	r.str(a, p, "backup_user", &acc.BackupUser)
	r.str(a, p, "backup_auth_user", &acc.BackupAuthUser)
	r.str(a, p, "backup_password", &acc.BackupPassword)
	var pwFile string
	r.str(a, p, "backup_password_file", &pwFile)
	if pwFile == "" {
		return
	}
	if acc.BackupPassword != "" {
		r.fail(p+".backup_password_file", "both backup_password and backup_password_file are set (expected one of them)")
	} else if pw, err := readSecret(dir, pwFile); err != nil {
		r.fail(p+".backup_password_file", "%v", err)
	} else {
		acc.BackupPassword = pw
	}
}
