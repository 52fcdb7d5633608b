package kamailio

// cfgTemplate is executed with a Config. debug=2 is what lets the L_INFO xlog lines through.
const cfgTemplate = `#!KAMAILIO
debug={{if .Trace}}2{{else}}1{{end}}
log_stderror=yes
memdbg=5
memlog=5
children=2
tcp_children={{if .TCP}}2{{else}}1{{end}}
auto_aliases=no
listen=udp:{{.Addr}}
{{- if .TCP}}
listen=tcp:{{.Addr}}
{{- end}}
mpath="{{.ModulesDir}}"

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"

{{- if .Presence}}
loadmodule "db_text.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"
{{- end}}

modparam("usrloc", "db_mode", 0)
modparam("registrar", "min_expires", {{.MinExpires}})
modparam("registrar", "max_expires", {{.MaxExpires}})
modparam("auth", "qop", "auth")
modparam("auth", "algorithm", "{{.Algorithm}}")
modparam("auth", "nonce_expire", 300)
{{- if .Presence}}
modparam("presence", "db_url", "text://{{.DBDir}}")
modparam("presence", "server_address", "sip:{{.Addr}}")
modparam("presence_xml", "db_url", "text://{{.DBDir}}")
modparam("presence_xml", "force_active", 1)
{{- end}}

request_route {
{{- if .Trace}}
	xlog("L_INFO", "request $rm $ru from $si:$sp\n");
{{- end}}
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
{{- if .Presence}}
	if (is_method("PUBLISH") || (is_method("SUBSCRIBE") && $hdr(Event) =~ "^presence")) {
		if (is_method("PUBLISH") && !pv_www_authenticate("$fd", "{{.Password}}", "0")) {
			www_challenge("$fd", "0");
			exit;
		}
		if (!t_newtran()) {
			sl_reply_error();
			exit;
		}
		if (is_method("PUBLISH")) {
			handle_publish();
		} else {
			handle_subscribe();
		}
		t_release();
		exit;
	}
{{- end}}
{{- if .Proxy}}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		if (is_method("ACK")) {
			if (t_check_trans()) {
				t_relay();
			} else if (uri == myself && lookup("location")) {
				forward();
			}
			exit;
		}
		# Peers that ignore the route set (sipp's built-in scenarios) send in-dialog
		# requests to the proxy's own URI: find the user again.
		if (uri == myself && lookup("location")) {
			t_relay();
			exit;
		}
		sl_send_reply("404", "Not here");
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	t_check_trans();
{{- end}}
	# A proxy relays OPTIONS for a user; the registrar itself answers the rest (probes,
	# keepalives).
	if (is_method("OPTIONS"){{if .Proxy}} && $rU == $null{{end}}) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (is_method("REGISTER")) {
		if (!pv_www_authenticate("$td", "{{.Password}}", "0")) {
			if (is_present_hf("Authorization")) {
				sl_send_reply("403", "Forbidden");
				exit;
			}
			www_challenge("$td", "0");
			exit;
		}
		if (!save("location")) {
			sl_reply_error();
			exit;
		}
{{- if .Trace}}
		xlog("L_INFO", "SAVED at=$TV(Sn) contact=$ct\n");
{{- end}}
		exit;
	}
{{- if .Proxy}}
{{- if .AuthInvite}}
	if (is_method("INVITE") && $fd == "{{.Addr.Addr}}" && !is_present_hf("Proxy-Authorization")) {
		proxy_challenge("$fd", "0");
		exit;
	}
	if (is_method("INVITE") && $fd == "{{.Addr.Addr}}" && !pv_proxy_authenticate("$fd", "{{.Password}}", "0")) {
		sl_send_reply("403", "Forbidden");
		exit;
	}
	consume_credentials();
{{- end}}
	record_route();
{{- if .Relay}}
	if (!(uri == myself)) {
		t_relay();
		exit;
	}
{{- end}}
	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	t_relay();
{{- else}}
	sl_send_reply("404", "Not Found");
{{- end}}
}
`
