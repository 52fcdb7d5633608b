package config

import (
	"math"
	"strconv"
	"strings"

	"github.com/doorsip/intercom/voice"
)

// readVoice maps the hands-free keys of [audio] onto dst; ranges are voice.Config.Validate's.
func (r *reader) readVoice(a map[string]any, dst *voice.Config) {
	r.enum(a, "audio", "echo_cancel", "mode", func(s string) error {
		m, err := voice.ParseEchoMode(s)
		if err == nil {
			dst.Echo = m
		}
		return err
	})
	r.duration(a, "audio", "echo_tail", &dst.EchoTail)
	r.enum(a, "audio", "noise_suppression", "level", func(s string) error {
		n, err := voice.ParseNoiseLevel(s)
		if err == nil {
			dst.Noise = n
		}
		return err
	})
	r.boolean(a, "audio", "agc", &dst.AGC)
	r.decibels(a, "audio", "agc_target", "dBFS", &dst.AGCTarget)
	r.decibels(a, "audio", "agc_max_gain", "dB", &dst.AGCMaxGain)
}

// decibels reads a level such as "-18dBFS" (or a bare number) in unit.
func (r *reader) decibels(t map[string]any, path, key, unit string, dst *float64) {
	v, ok := r.get(t, path, key)
	if !ok {
		return
	}
	switch x := v.(type) {
	case int64:
		*dst = float64(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			r.fail(join(path, key), "%v is not a level (expected e.g. \"-18%s\")", x, unit)
			return
		}
		*dst = x
	case string:
		num := strings.TrimSpace(x)
		if len(num) > len(unit) && strings.EqualFold(num[len(num)-len(unit):], unit) {
			num = strings.TrimSpace(num[:len(num)-len(unit)])
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			r.fail(join(path, key), "%q is not a level (expected e.g. \"-18%s\")", x, unit)
			return
		}
		*dst = f
	default:
		r.fail(join(path, key), "is %s, expected a level such as \"-18%s\"", typeName(v), unit)
	}
}
