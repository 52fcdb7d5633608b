package kamailio

import (
	"fmt"
	"os"
	"path/filepath"
)

// presenceTables are the db_text headers (Kamailio 5.x schema) of the tables the presence
// modules open, and the version rows they check at start-up.
var presenceTables = map[string]string{
	"presentity":      "id(int,auto) username(string) domain(string) event(string) etag(string) expires(int) received_time(int) body(string) sender(string) priority(int) ruid(string,null)\n",
	"active_watchers": "id(int,auto) presentity_uri(string) watcher_username(string) watcher_domain(string) to_user(string) to_domain(string) event(string) event_id(string,null) to_tag(string) from_tag(string) callid(string) local_cseq(int) remote_cseq(int) contact(string) record_route(string,null) expires(int) status(int) reason(string,null) version(int) socket_info(string) local_contact(string) from_user(string) from_domain(string) updated(int) updated_winfo(int) flags(int) user_agent(string,null)\n",
	"watchers":        "id(int,auto) presentity_uri(string) watcher_username(string) watcher_domain(string) event(string) status(int) reason(string,null) inserted_time(int)\n",
	"xcap":            "id(int,auto) username(string) domain(string) doc(string) doc_type(int) etag(string) source(int) doc_uri(string) port(int)\n",
	"version":         "id(int,auto) table_name(string) table_version(int)\n0:presentity:5\n0:active_watchers:12\n0:watchers:3\n0:xcap:4\n",
}

func writePresenceTables(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("kamailio: %w", err)
	}
	for name, body := range presenceTables {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return fmt.Errorf("kamailio: %w", err)
		}
	}
	return nil
}
