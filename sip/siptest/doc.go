// Package siptest helps other packages test against the SIP user agent without a PBX: it
// runs real sip.UAs on loopback (userless, ephemeral ports) and a scripted far end (Peer)
// that answers, rejects or calls, so a controller test exercises the same code paths as the
// demo's two intercoms.
package siptest
