package config

import (
	"strconv"
	"strings"
)

// keyLines maps dotted key paths ("sip.listen", "account[1].user", "button[0]") to the line
// they are written on. The TOML decoder keeps no positions, and every validation error must
// name its line, so this small scanner follows table headers and "key =" lines. It only needs
// to understand what a hand-written config looks like; anything it cannot place falls back to
// the enclosing table's line.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	counts := map[string]int{}
	table := ""
	inArray := 0 // open '[' of a multi-line array value
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimSpace(stripComment(raw))
		if line == "" {
			continue
		}
		if inArray > 0 {
			inArray += strings.Count(line, "[") - strings.Count(line, "]")
			continue
		}
		switch {
		case strings.HasPrefix(line, "[["):
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "[["), "]]"))
			idx := counts[name]
			counts[name] = idx + 1
			table = name + "[" + strconv.Itoa(idx) + "]"
			setOnce(lines, table, n)
		case strings.HasPrefix(line, "["):
			table = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "["), "]"))
			setOnce(lines, table, n)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			key := strings.Trim(strings.TrimSpace(k), `"'`)
			if table != "" {
				key = table + "." + key
			}
			setOnce(lines, key, n)
			if d := strings.Count(v, "[") - strings.Count(v, "]"); d > 0 {
				inArray = d
			}
		}
	}
	return lines
}

func setOnce(m map[string]int, k string, v int) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// stripComment removes a trailing # comment that is not inside a quoted string.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return s[:i]
		}
	}
	return s
}

// lineOf finds the line of key, or of the nearest enclosing table ("account[0].user" falls
// back to "account[0]").
func lineOf(lines map[string]int, key string) int {
	for k := key; k != ""; {
		if n, ok := lines[k]; ok {
			return n
		}
		i := strings.LastIndexAny(k, ".[")
		if i <= 0 {
			break
		}
		k = k[:i]
	}
	return 0
}
