//go:build tools

package tools

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/coreos/go-systemd/v22/daemon"
	_ "github.com/emiago/sipgo"
	_ "github.com/pion/rtcp"
	_ "github.com/pion/rtp"
	_ "github.com/pion/sdp/v3"
	_ "github.com/pion/srtp/v3"
	_ "github.com/zaf/g711"
	_ "go.uber.org/goleak"
	_ "golang.org/x/sys/unix"
	_ "periph.io/x/conn/v3/gpio"
	_ "periph.io/x/host/v3"
)
