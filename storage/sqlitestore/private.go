package sqlitestore

import (
	"errors"
	"io/fs"
	"os"

	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
)

// privateVFS names the VFS that Open's connections use unless a vfs
// parameter chooses another: the driver's default VFS, except that every file
// SQLite creates for the database is created with mode 0600.
//
// Why: the default VFS creates files with mode 0666 and leaves the rest to
// the umask (os.OpenFile in vfs/file.go and vfs/shm_ofd.go of
// github.com/ncruces/go-sqlite3), so under the usual umask 022 the WAL, which
// holds recent response bodies, the -shm file and a rollback journal are
// readable by every local user who may enter the directory, /tmp say.
// Creating them in advance once is not enough: SQLite deletes the WAL and
// -shm when the last connection closes and creates them again later, and it
// deletes a WAL it finds next to an empty database. The driver's modeof
// parameter chmods a file only after opening it, which leaves another user
// a moment to open it too, and never applies to -shm. So this VFS creates
// each file SQLite asks it to create by name, with O_EXCL and mode 0600,
// just before the default VFS opens it and finds it empty, as it would have
// made it: the database, its rollback journal and its WAL, and with the WAL
// the -shm file that SQLite maps next for it. (A journal is thus created
// only when SQLite creates one, never ahead of it.) An existing file is left
// as it is.
const privateVFS = "clientcache-private"

func init() { vfs.Register(privateVFS, privateFiles{vfs.Find("")}) }

type privateFiles struct{ vfs.VFS }

func (p privateFiles) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	if path := name.String(); path != "" && flags&vfs.OPEN_CREATE != 0 {
		// On an error the default VFS's own open fails and says why.
		if created, _ := createPrivate(path); created {
			flags &^= vfs.OPEN_EXCLUSIVE // (super-journals) created here, exclusively
		}
		if flags&vfs.OPEN_WAL != 0 {
			_, _ = createPrivate(name.Database() + "-shm")
		}
	}
	return vfsutil.WrapOpenFilename(p.VFS, name, flags)
}

// createPrivate creates path empty and with mode 0600 if it does not exist.
func createPrivate(path string) (created bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// The umask may have cleared some of the owner's bits (it cannot add
	// any, so a failure here leaves the file no less private).
	_ = f.Chmod(0o600)
	return true, f.Close()
}
