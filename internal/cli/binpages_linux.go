package cli

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// releaseBinaryPages drops this process's mappings of its own executable's
// read-only parts (its code and constant data) and returns how many bytes
// of address space that covered.
//
// Starting touches the binary all over (every linked package initialises
// itself, migrations and the catalogue sync run once), and the kernel maps
// the pages around each one touched: some 29 MB of the 49 MB file stay
// resident, most of which serving never touches again. Those pages are
// shared with the page cache and never written, so dropping the mapping
// loses nothing: the kernel maps a page back from the page cache (or the
// file) the next time the server runs it. Writable mappings (the program's
// variables) are left alone.
func releaseBinaryPages() (int, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	type mapping struct {
		start, end  uintptr
		perms, file string // file is the mapping's device and inode
	}
	var maps []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// address perms offset dev inode [path]
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil {
			return 0, fmt.Errorf("read /proc/self/maps: bad line %q", sc.Text())
		}
		maps = append(maps, mapping{uintptr(start), uintptr(end), fields[1], fields[3] + " " + fields[4]})
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	// The executable is the file whose mapping holds this function's code.
	code := reflect.ValueOf(releaseBinaryPages).Pointer()
	exe := ""
	for _, m := range maps {
		if m.start <= code && code < m.end {
			exe = m.file
		}
	}
	if exe == "" || strings.HasSuffix(exe, " 0") {
		return 0, fmt.Errorf("the executable's code is not mapped from a file")
	}
	n := 0
	for _, m := range maps {
		if m.file != exe || strings.Contains(m.perms, "w") {
			continue
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_DONTNEED); errno != 0 {
			return n, fmt.Errorf("madvise: %w", errno)
		}
		n += int(m.end - m.start)
	}
	return n, nil
}
