// Command sumdbserver is a checksum database for tests, built from the go command's own
// copy of golang.org/x/mod/sumdb (tests/sumdbserver.py builds it against
// $GOROOT/src/cmd/vendor). It serves, on 127.0.0.1:
//
//	/latest, /lookup/M@V, /tile/...            the database
//	/sumdb/NAME/supported, /sumdb/NAME/...     the same, as a module proxy serves it
//	/...                                       the files of -proxy (a GOPROXY directory)
//
// Records are computed on demand from -proxy with dirhash (h1: of the zip and the go.mod).
// -lie PATH makes the records of module PATH claim a different zip hash (-lie-mod PATH: a
// different go.mod hash); -bad-tiles flips a byte of every tile. The first line on stdout is JSON: {"url": ..., "vkey": ..., "skey": ...}.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/sumdb/note"
)

type tileFlipper struct {
	http.ResponseWriter
}

func (t tileFlipper) Write(b []byte) (int, error) {
	c := append([]byte(nil), b...)
	if len(c) > 0 {
		c[0] ^= 0xff
	}
	return t.ResponseWriter.Write(c)
}

func fileHash(name string, data []byte) (string, error) {
	return dirhash.Hash1([]string{name}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	})
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sumdbserver:", err)
	os.Exit(1)
}

func main() {
	proxy := flag.String("proxy", "", "GOPROXY directory")
	name := flag.String("name", "sumdb.test", "database name")
	skey := flag.String("skey", "", "signer key (default: a new one)")
	vkey := flag.String("vkey", "", "verifier key of -skey")
	lie := flag.String("lie", "", "module path whose records lie")
	lieMod := flag.String("lie-mod", "", "module path whose records lie about its go.mod")
	badTiles := flag.Bool("bad-tiles", false, "corrupt every tile")
	flag.Parse()

	if *skey == "" {
		s, v, err := note.GenerateKey(nil, *name)
		if err != nil {
			fail(err)
		}
		*skey, *vkey = s, v
	}

	gosum := func(path, vers string) ([]byte, error) {
		epath, err := module.EscapePath(path)
		if err != nil {
			return nil, err
		}
		evers, err := module.EscapeVersion(vers)
		if err != nil {
			return nil, err
		}
		base := filepath.Join(*proxy, epath, "@v", evers)
		mod, err := os.ReadFile(base + ".mod")
		if err != nil {
			return nil, err
		}
		modHash, err := fileHash("go.mod", mod)
		if err != nil {
			return nil, err
		}
		zipHash, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
		if err != nil {
			return nil, err
		}
		if path == *lie {
			zipHash, _ = fileHash("lie", []byte("not the code everyone else got\n"))
		}
		if path == *lieMod {
			modHash, _ = fileHash("go.mod", []byte("module "+path+"\n\n// not the go.mod everyone else got\n"))
		}
		return fmt.Appendf(nil, "%s %s %s\n%s %s/go.mod %s\n", path, vers, zipHash, path, vers, modHash), nil
	}

	db := sumdb.NewServer(sumdb.NewTestServer(*skey, gosum))
	var handler http.Handler = db
	if *badTiles {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/tile/") {
				w = tileFlipper{w}
			}
			db.ServeHTTP(w, r)
		})
	}
	files := http.FileServer(http.Dir(*proxy))
	prefix := "/sumdb/" + *name
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == prefix+"/supported":
			w.WriteHeader(http.StatusOK)
		case strings.HasPrefix(p, prefix+"/"):
			http.StripPrefix(prefix, handler).ServeHTTP(w, r)
		case p == "/latest" || strings.HasPrefix(p, "/lookup/") || strings.HasPrefix(p, "/tile/"):
			handler.ServeHTTP(w, r)
		case *proxy != "":
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	info, _ := json.Marshal(map[string]string{"url": "http://" + ln.Addr().String(), "vkey": *vkey, "skey": *skey})
	fmt.Println(string(info))
	fail(http.Serve(ln, mux))
}
