package cli

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if os.Getenv("HF_PPROF") != "" {
		go http.ListenAndServe("127.0.0.1:6060", nil)
	}
}
