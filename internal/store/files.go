package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Upload is a file someone sends: its name as given, its content, and the
// largest size accepted.
type Upload struct {
	Name string
	R    io.Reader
	Max  int64
}

// storedFile is what Holdfast records about a file it has kept.
type storedFile struct {
	size        int64
	sha256      string
	contentType string
}

// filesRoot opens <data dir>/files. Every uploaded file is read and written
// through the returned root, so no name can reach outside it.
func (db *DB) filesRoot() (*os.Root, error) {
	if db.dataDir == "" {
		return nil, isms.Internal(errors.New("no data directory is configured for uploaded files"))
	}
	dir := filepath.Join(db.dataDir, "files")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, isms.Internal(fmt.Errorf("create the files folder: %w", err))
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, isms.Internal(fmt.Errorf("open the files folder: %w", err))
	}
	return root, nil
}

// evidencePath is where evidence id of organisation orgID is kept, relative
// to the files root. Both parts are ids Holdfast made, never user input.
func evidencePath(orgID, id string) string { return "evidence/" + orgID + "/" + id }

func uploadPath(orgID, id string) string { return "evidence/" + orgID + "/.upload-" + id }

// receive copies an upload into a temporary file under root, enforcing its
// size limit, hashing it and sniffing its content type. The caller renames
// it into place once the record is stored, or removes it.
func receive(root *os.Root, tmp string, up *Upload) (storedFile, error) {
	var sf storedFile
	if err := root.MkdirAll(filepath.ToSlash(filepath.Dir(tmp)), 0o700); err != nil {
		return sf, isms.Internal(err)
	}
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return sf, isms.Internal(err)
	}
	h := sha256.New()
	head := make([]byte, 0, 512)
	limit := up.Max
	if limit <= 0 {
		limit = 20 << 20
	}
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, rerr := up.R.Read(buf)
		if k > 0 {
			n += int64(k)
			if n > limit {
				f.Close()
				root.Remove(tmp)
				return sf, &isms.Error{Kind: isms.KindTooLarge, Msg: isms.M("error.file_too_large", humanSize(limit)),
					Fields: []isms.FieldError{{Field: "file", Msg: isms.M("validation.file_too_large", humanSize(limit))}}}
			}
			if len(head) < 512 {
				head = append(head, buf[:min(k, 512-len(head))]...)
			}
			h.Write(buf[:k])
			if _, err := f.Write(buf[:k]); err != nil {
				f.Close()
				root.Remove(tmp)
				return sf, isms.Internal(err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			f.Close()
			root.Remove(tmp)
			var mb *http.MaxBytesError
			if errors.As(rerr, &mb) {
				return sf, &isms.Error{Kind: isms.KindTooLarge, Msg: isms.M("error.file_too_large", humanSize(limit)),
					Fields: []isms.FieldError{{Field: "file", Msg: isms.M("validation.file_too_large", humanSize(limit))}}}
			}
			return sf, isms.Internal(rerr)
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		root.Remove(tmp)
		return sf, isms.Internal(err)
	}
	if err := f.Close(); err != nil {
		root.Remove(tmp)
		return sf, isms.Internal(err)
	}
	if n == 0 {
		root.Remove(tmp)
		return sf, isms.Invalid("file", "validation.file_empty")
	}
	sf.size, sf.sha256, sf.contentType = n, hex.EncodeToString(h.Sum(nil)), http.DetectContentType(head)
	return sf, nil
}

// humanSize renders a byte count as people read it.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// removeQuietly deletes a file under root, ignoring one that is not there.
func removeQuietly(root *os.Root, name string) error {
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
