package media

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// udpIO sends and receives a session's RTP with raw system calls through the socket's
// RawConn: the netpoller still parks the receive loop until a packet is there, but neither
// sendto nor recvfrom goes through entersyscall, which wakes the runtime's monitor thread
// whenever it sleeps (as it does between frames when all else is idle): 1-3 extra context
// switches per call of either. Both calls are non-blocking, so holding the P is harmless.
// The send fields belong to the send side, the receive fields to the receive loop.
type udpIO struct {
	rc  syscall.RawConn
	v6  bool // an AF_INET6 socket: IPv4 peers as IPv4-mapped addresses
	err bool // no RawConn: use the UDPConn's own methods

	out    []byte
	sa4    unix.RawSockaddrInet4
	sa6    unix.RawSockaddrInet6
	saLen  uintptr
	sent   int
	sendE  syscall.Errno
	sendFn func(fd uintptr) bool

	in     []byte
	from   unix.RawSockaddrAny
	recvN  int
	recvE  syscall.Errno
	recvFn func(fd uintptr) bool

	// After detach: a duplicate of the socket outside Go's netpoller, read once per period
	// by recvNow with each datagram's arrival time (SO_TIMESTAMPNS), and written directly.
	// recvNow takes up to rxBatch datagrams per system call (recvmmsg) and hands them out
	// one by one; a batch that came back short emptied the socket, which drained reports,
	// so a period's drain costs one call where recvmsg needed one more to see EAGAIN.
	stamps   bool
	detached bool
	raw      int
	closeRaw sync.Once
	msgs     [rxBatch]mmsghdr
	slots    [rxBatch]rxSlot
	got      int // datagrams from the last recvmmsg
	next     int // the next of them to hand out
	stamp    int64
}

// rxBatch is how many datagrams one recvmmsg takes: a period normally brings one.
const rxBatch = 4

// mmsghdr is struct mmsghdr; Go pads it to the msghdr's alignment as C does.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// rxSlot is one datagram's buffers for recvmmsg.
type rxSlot struct {
	buf  []byte
	from unix.RawSockaddrAny
	iov  unix.Iovec
	ctrl [64]byte
}

func (u *udpIO) init(c *net.UDPConn) {
	rc, err := c.SyscallConn()
	if err != nil {
		u.err = true
		return
	}
	u.rc = rc
	var sa unix.Sockaddr
	var serr error
	if err := rc.Control(func(fd uintptr) { sa, serr = unix.Getsockname(int(fd)) }); err != nil || serr != nil {
		u.err = true
		return
	}
	_, u.v6 = sa.(*unix.SockaddrInet6)
	u.sendFn, u.recvFn = u.sendto, u.recvfrom
	var oerr error
	if err := rc.Control(func(fd uintptr) {
		oerr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err == nil && oerr == nil {
		u.stamps = true
	}
}

// canDetach reports whether detach can work on this socket.
func (u *udpIO) canDetach() bool { return !u.err && u.stamps }

// detach takes the socket out of Go's netpoller: it keeps a duplicate descriptor and closes
// c, which removes c's descriptor from the runtime's epoll set first. While the socket is
// there every datagram wakes the thread sleeping in epoll, whether or not a goroutine waits
// on it; detached, a packet wakes nobody and waits for the next recvNow.
func (u *udpIO) detach(c *net.UDPConn) error {
	if !u.canDetach() {
		return unix.ENOTSUP
	}
	var fd int
	var derr error
	if err := u.rc.Control(func(f uintptr) { fd, derr = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return err
	}
	if derr != nil {
		return derr
	}
	c.Close()
	u.raw, u.detached = fd, true
	return nil
}

// close closes the detached descriptor, once.
func (u *udpIO) close() {
	if u.detached {
		u.closeRaw.Do(func() { unix.Close(u.raw) })
	}
}

// WriteToUDPAddrPort sends b on the detached socket (STUN answers from the loop).
func (u *udpIO) WriteToUDPAddrPort(b []byte, dst netip.AddrPort) (int, error) {
	if err := u.writeTo(nil, b, dst); err != nil {
		return 0, err
	}
	return len(b), nil
}

// recvNow takes one datagram from the detached socket into b if one is waiting: ok false
// when none is. at is when the kernel received it (unix ns), 0 if it did not say. A datagram
// as long as b may have been truncated.
func (u *udpIO) recvNow(b []byte) (n int, from netip.AddrPort, at int64, ok bool, err error) {
	if u.next >= u.got {
		u.got, u.next = 0, 0
		e := u.recvmmsg(len(b))
		switch e {
		case 0:
		case unix.EAGAIN:
			return 0, netip.AddrPort{}, 0, false, nil
		default:
			return 0, netip.AddrPort{}, 0, false, e
		}
	}
	m, sl := &u.msgs[u.next], &u.slots[u.next]
	u.next++
	n = copy(b, sl.buf[:m.n])
	u.from = sl.from
	u.stamp = 0
	if int(m.hdr.Controllen) >= unix.CmsgSpace(0) {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&sl.ctrl[0]))
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_TIMESTAMPNS &&
			int(h.Len) >= unix.CmsgLen(int(unsafe.Sizeof(unix.Timespec{}))) {
			u.stamp = (*unix.Timespec)(unsafe.Pointer(&sl.ctrl[unix.CmsgLen(0)])).Nano()
		}
	}
	return n, u.fromAddr(), u.stamp, true, nil
}

// drained reports that the datagrams handed out so far emptied the socket when they were
// taken: the last recvmmsg filled fewer slots than it had, and all are handed out.
func (u *udpIO) drained() bool { return u.next >= u.got && u.got < rxBatch }

// recvmmsg fills the slots (buffers of size bytes) with what is waiting, without waiting.
func (u *udpIO) recvmmsg(size int) syscall.Errno {
	for i := range u.slots {
		sl, m := &u.slots[i], &u.msgs[i]
		if len(sl.buf) != size {
			sl.buf = make([]byte, size) // once per session: the caller's buffer does not change
		}
		sl.iov.Base = &sl.buf[0]
		sl.iov.SetLen(size)
		m.hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&sl.from)), Namelen: unix.SizeofSockaddrAny,
			Iov: &sl.iov, Control: &sl.ctrl[0]}
		m.hdr.SetIovlen(1)
		m.hdr.SetControllen(len(sl.ctrl))
		m.n = 0
	}
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, uintptr(u.raw), uintptr(unsafe.Pointer(&u.msgs[0])),
			rxBatch, unix.MSG_DONTWAIT, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e == 0 {
			u.got = int(n)
		}
		return e
	}
}

// writeTo sends b to dst.
func (u *udpIO) writeTo(c *net.UDPConn, b []byte, dst netip.AddrPort) error {
	if u.err {
		_, err := c.WriteToUDPAddrPort(b, dst)
		return err
	}
	if err := u.setDst(dst); err != nil {
		return err
	}
	u.out, u.sendE = b, 0
	var err error
	if u.detached {
		if !u.sendto(uintptr(u.raw)) {
			u.sendE = unix.EAGAIN // the socket's buffer is full: this packet is lost
		}
	} else {
		err = u.rc.Write(u.sendFn)
	}
	u.out = nil
	if err != nil {
		return err
	}
	if u.sendE != 0 {
		return u.sendE
	}
	return nil
}

func (u *udpIO) setDst(dst netip.AddrPort) error {
	a := dst.Addr()
	if !u.v6 {
		if !a.Is4() && !a.Is4In6() {
			return unix.EAFNOSUPPORT
		}
		u.sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.Unmap().As4()}
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&u.sa4.Port))[:], dst.Port())
		u.saLen = unix.SizeofSockaddrInet4
		return nil
	}
	u.sa6 = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: a.As16()}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&u.sa6.Port))[:], dst.Port())
	u.saLen = unix.SizeofSockaddrInet6
	return nil
}

func (u *udpIO) sendto(fd uintptr) bool {
	sa := unsafe.Pointer(&u.sa4)
	if u.v6 {
		sa = unsafe.Pointer(&u.sa6)
	}
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&u.out[0])), uintptr(len(u.out)),
			0, uintptr(sa), u.saLen)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // the socket's buffer is full: wait until it drains
		}
		u.sent, u.sendE = int(n), e
		return true
	}
}

// readFrom waits for one datagram into b.
func (u *udpIO) readFrom(c *net.UDPConn, b []byte) (int, netip.AddrPort, error) {
	if u.err {
		return c.ReadFromUDPAddrPort(b)
	}
	u.in, u.recvE = b, 0
	err := u.rc.Read(u.recvFn)
	u.in = nil
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	if u.recvE != 0 {
		return 0, netip.AddrPort{}, u.recvE
	}
	return u.recvN, u.fromAddr(), nil
}

func (u *udpIO) recvfrom(fd uintptr) bool {
	for {
		l := uint32(unix.SizeofSockaddrAny)
		n, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&u.in[0])), uintptr(len(u.in)),
			0, uintptr(unsafe.Pointer(&u.from)), uintptr(unsafe.Pointer(&l)))
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // nothing yet: park in the netpoller
		}
		u.recvN, u.recvE = int(n), e
		return true
	}
}

// fromAddr is the sender of the last datagram; an IPv6 scope (zone) is not kept.
func (u *udpIO) fromAddr() netip.AddrPort {
	switch u.from.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&u.from))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:]))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&u.from))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:]))
	}
	return netip.AddrPort{}
}
