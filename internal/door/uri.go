package door

import "strings"

// uriKey reduces a SIP URI or name-addr to the part allow lists compare: "user@host" with the
// host lower-cased ("host" alone when there is no user). Display names, <>, the sip:/sips:
// scheme, the port, URI parameters and headers are dropped: a PBX may present the same
// caller with a different transport or port, and allow lists are written by people.
func uriKey(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "sips:"):
		s = s[5:]
	case strings.HasPrefix(lower, "sip:"):
		s = s[4:]
	}
	if i := strings.IndexAny(s, ";?"); i >= 0 {
		s = s[:i]
	}
	user, host := "", s
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		user, host = s[:i], s[i+1:]
	}
	host = stripPort(host)
	host = strings.ToLower(host)
	if user == "" {
		return host
	}
	return user + "@" + host
}

func stripPort(host string) string {
	if strings.HasPrefix(host, "[") { // IPv6 reference
		if i := strings.IndexByte(host, ']'); i >= 0 {
			return host[:i+1]
		}
		return host
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		return host[:i]
	}
	return host
}

// uriAllowed reports whether uri matches one of patterns. A pattern without a user part
// ("sip:pbx.example") admits every user at that host. An empty list admits everyone.
func uriAllowed(uri string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	key := uriKey(uri)
	host := key
	if i := strings.LastIndexByte(key, '@'); i >= 0 {
		host = key[i+1:]
	}
	for _, p := range patterns {
		pk := uriKey(p)
		if pk == "" {
			continue
		}
		if pk == key || (!strings.Contains(pk, "@") && pk == host) {
			return true
		}
	}
	return false
}
