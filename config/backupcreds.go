package config

import "github.com/doorsip/intercom/sip"

// readBackupCredentials reads an [[account]]'s credentials for its backup registrar.
func (c *Config) readBackupCredentials(r *reader, a map[string]any, p, dir string, acc *sip.Account) {
	r.str(a, p, "backup_user", &acc.BackupUser)
	r.str(a, p, "backup_auth_user", &acc.BackupAuthUser)
	r.password(a, p, "backup_password", dir, &acc.BackupPassword)
}
