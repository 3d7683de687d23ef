package time

// lockbench's clock-skew hook for Go programs, added to the standard library's time package when
// etcd is built (image/Dockerfile). Go reads the time through the kernel's vDSO, not through libc,
// so the LD_PRELOAD shim that skews the C nodes (clusters/images/skew/lockbench-skew.c) cannot
// reach it. Same contract as the shim: time.Now's wall clock is offset by the signed nanosecond
// count in /run/lockbench/skew (written by skewctl), mapped once, so a change is seen by the next
// read; monotonic readings (what Go uses to measure durations, such as lease expiry) are untouched;
// no file means no offset.

import (
	"sync"
	"syscall"
	"unsafe"
)

var lockbenchSkewOnce sync.Once
var lockbenchSkewMap []byte

func lockbenchSkewNs() int64 {
	lockbenchSkewOnce.Do(func() {
		fd, err := syscall.Open("/run/lockbench/skew", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return
		}
		defer syscall.Close(fd)
		if b, err := syscall.Mmap(fd, 0, 8, syscall.PROT_READ, syscall.MAP_SHARED); err == nil {
			lockbenchSkewMap = b
		}
	})
	if len(lockbenchSkewMap) < 8 {
		return 0
	}
	return *(*int64)(unsafe.Pointer(&lockbenchSkewMap[0]))
}

func lockbenchSkew(sec int64, nsec int32) (int64, int32) {
	off := lockbenchSkewNs()
	if off == 0 {
		return sec, nsec
	}
	total := sec*1e9 + int64(nsec) + off
	s, n := total/1e9, total%1e9
	if n < 0 {
		n += 1e9
		s--
	}
	return s, int32(n)
}
