package eventlog

import "os"

// File is the part of *os.File the log writes through; tests substitute one that fails.
type File interface {
	Write(p []byte) (int, error)
	Sync() error
	Truncate(size int64) error
	Size() (int64, error)
	Close() error
}

// FS opens and rotates log files. OS is the default.
type FS interface {
	OpenAppend(path string) (File, error)
	Rename(oldpath, newpath string) error
}

// OS is the real file system.
type OS struct{}

// OpenAppend opens path for appending, creating it 0640: the log names callers, so it is
// not world-readable.
func (OS) OpenAppend(path string) (File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// Rename is os.Rename.
func (OS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

type osFile struct{ *os.File }

func (f osFile) Size() (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
