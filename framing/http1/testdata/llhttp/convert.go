//go:build ignore

// convert turns the request and response cases of a checkout of the llhttp
// test suite (test/request/*.md, test/response/*.md) into cases.txt, in a
// format of this project's own (see README.md). Run it from this directory:
//
//	go run convert.go /path/to/llhttp > cases.txt
//
// Only the strict cases are converted: lenient modes, pausing and
// callbacks' return codes are llhttp's API, not HTTP.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run convert.go LLHTTP-CHECKOUT")
		os.Exit(2)
	}
	root := os.Args[1]
	commit, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		fail(err)
	}
	var files []string
	for _, dir := range []string{"test/request", "test/response"} {
		m, err := filepath.Glob(filepath.Join(root, dir, "*.md"))
		if err != nil {
			fail(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "# Converted by convert.go from nodejs/llhttp at commit %s\n", strings.TrimSpace(string(commit)))
	fmt.Fprintf(w, "# (test/request/*.md and test/response/*.md, strict cases only). Format: README.md.\n")
	n := 0
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		b, err := os.ReadFile(f)
		if err != nil {
			fail(err)
		}
		n += convertFile(w, rel, string(b))
	}
	fmt.Fprintf(os.Stderr, "%d cases\n", n)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

var (
	metaRe  = regexp.MustCompile(`<!--\s*meta=(\{.*\})\s*-->`)
	typeRe  = regexp.MustCompile(`"type"\s*:\s*"([^"]+)"`)
	pauseRe = regexp.MustCompile(`"(pause|skipBody)"`)
)

// convertFile writes the cases of one markdown file and returns how many.
func convertFile(w *bufio.Writer, file, text string) int {
	lines := strings.Split(text, "\n")
	var heading, kind string
	var finish, skip bool
	var httpBlock, logBlock *string
	n := 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "## ") || strings.HasPrefix(l, "### ") || strings.HasPrefix(l, "#### "):
			heading = strings.TrimSpace(strings.TrimLeft(l, "#"))
		case metaRe.MatchString(l):
			meta := metaRe.FindStringSubmatch(l)[1]
			t := typeRe.FindStringSubmatch(meta)
			kind, finish, skip = "", false, pauseRe.MatchString(meta)
			httpBlock, logBlock = nil, nil
			if t != nil {
				switch t[1] {
				case "request", "response":
					kind = t[1]
				case "request-finish", "response-finish":
					kind, finish = strings.TrimSuffix(t[1], "-finish"), true
				}
			}
		case strings.HasPrefix(l, "```"):
			lang := strings.TrimPrefix(l, "```")
			var body []string
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
				body = append(body, lines[i])
			}
			s := strings.Join(body, "\n") + "\n"
			switch lang {
			case "http":
				httpBlock = &s
			case "log":
				logBlock = &s
			}
			if httpBlock != nil && logBlock != nil {
				if kind != "" && !skip {
					if writeCase(w, file, heading, kind, finish, *httpBlock, *logBlock) {
						n++
					}
				}
				httpBlock, logBlock, kind = nil, nil, ""
			}
		}
	}
	return n
}

var octalRe = regexp.MustCompile(`\\([0-7]{1,3})`)
var hexRe = regexp.MustCompile(`\\x([0-9a-fA-F]+)`)

// decodeInput applies the suite's rules for the http block: the last
// newline goes, an escaped newline joins lines, newlines become CRLF, and
// \r \n \t \f \xHH \NNN escapes become bytes.
func decodeInput(s string) (string, bool) {
	if strings.Contains(s, "${") {
		return "", false // inline JavaScript: not converted
	}
	s = strings.TrimSuffix(s, "\n")
	s = regexp.MustCompile(`\\(\r\n|\r|\n)`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`\r\n|\r|\n`).ReplaceAllString(s, "\r\n")
	s = strings.NewReplacer(`\r`, "\r", `\n`, "\n", `\t`, "\t", `\f`, "\f").Replace(s)
	s = hexRe.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[2:], 16, 32)
		return string(rune(v))
	})
	s = octalRe.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[1:], 8, 32)
		return string([]byte{byte(v)})
	})
	return s, true
}

var (
	spanRe   = regexp.MustCompile(`^off=(\d+) len=(\d+) span\[(\w+)\]=(?:"(.*)"|(cr|lf))$`)
	eventRe  = regexp.MustCompile(`^off=(\d+|NULL) (.*)$`)
	errorRe  = regexp.MustCompile(`^error code=(\d+) reason="(.*)"$`)
	headRe   = regexp.MustCompile(`^headers complete (.*)$`)
	chunkRe  = regexp.MustCompile(`^chunk header len=(\d+)$`)
	paramsRe = regexp.MustCompile(`(\w+)=(\S+)`)
)

// unescapeLog decodes the escapes the suite's log uses in span values.
func unescapeLog(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'f':
			b.WriteByte('\f')
		case 'x':
			if i+2 < len(s) {
				v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
				if err == nil {
					b.WriteByte(byte(v))
					i += 2
					continue
				}
			}
			b.WriteString(`\x`)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// message is what the log says about one message.
type message struct {
	start   string
	spans   map[string]string
	headers [][2]string
	field   *string
	head    string
	chunks  []string
	body    bytes.Buffer
	end     string
	hasHead bool
}

func writeCase(w *bufio.Writer, file, heading, kind string, finish bool, httpBlock, logBlock string) bool {
	input, ok := decodeInput(httpBlock)
	if !ok {
		return false
	}
	var out []string
	var cur *message
	flush := func() {
		if cur == nil {
			return
		}
		m := cur
		var head []string
		for _, k := range []string{"method", "url", "protocol", "version", "status"} {
			if v, ok := m.spans[k]; ok {
				head = append(head, k+"="+strconv.Quote(v))
			}
		}
		out = append(out, "message "+m.start+" "+strings.Join(head, " "))
		for _, h := range m.headers {
			out = append(out, "header "+strconv.Quote(h[0])+" "+strconv.Quote(h[1]))
		}
		if m.hasHead {
			out = append(out, "head "+m.head)
		}
		for _, c := range m.chunks {
			out = append(out, "chunk "+c)
		}
		if m.body.Len() > 0 {
			out = append(out, "body "+strconv.Quote(m.body.String()))
		}
		if m.end != "" {
			out = append(out, "complete "+m.end)
		}
		cur = nil
	}
	for _, l := range strings.Split(strings.TrimSuffix(logBlock, "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "/") {
			return false // a regular expression in the log: not converted
		}
		if m := spanRe.FindStringSubmatch(l); m != nil {
			if cur == nil {
				return false
			}
			v := unescapeLog(m[4])
			switch m[5] {
			case "cr":
				v = "\r"
			case "lf":
				v = "\n"
			}
			switch m[3] {
			case "header_field":
				if cur.field == nil {
					cur.headers = append(cur.headers, [2]string{})
					cur.field = new(string)
				}
				cur.headers[len(cur.headers)-1][0] += v
			case "header_value":
				cur.field = nil
				cur.headers[len(cur.headers)-1][1] += v
			case "body":
				cur.body.WriteString(v)
			case "chunk_extension_name", "chunk_extension_value":
			default:
				cur.spans[m[3]] += v
			}
			continue
		}
		e := eventRe.FindStringSubmatch(l)
		if e == nil {
			fmt.Fprintf(os.Stderr, "%s: %s: unread log line %q\n", file, heading, l)
			return false
		}
		off, ev := e[1], e[2]
		switch {
		case ev == "message begin":
			flush()
			cur = &message{start: off, spans: map[string]string{}}
		case ev == "message complete":
			if cur == nil {
				return false
			}
			cur.end = off
			flush()
		case strings.HasSuffix(ev, " complete") && !strings.HasPrefix(ev, "headers complete"):
			if ev == "header_value complete" && cur != nil {
				cur.field = nil
			}
		case headRe.MatchString(ev):
			if cur == nil {
				return false
			}
			var params []string
			for _, p := range paramsRe.FindAllStringSubmatch(headRe.FindStringSubmatch(ev)[1], -1) {
				if p[1] == "method" {
					continue // llhttp's enum; the method span says it
				}
				params = append(params, p[1]+"="+p[2])
			}
			cur.head = "off=" + off + " " + strings.Join(params, " ")
			cur.hasHead = true
		case chunkRe.MatchString(ev):
			if cur != nil {
				cur.chunks = append(cur.chunks, chunkRe.FindStringSubmatch(ev)[1])
			}
		case errorRe.MatchString(ev):
			m := errorRe.FindStringSubmatch(ev)
			flush()
			out = append(out, fmt.Sprintf("error %s %s %s", off, m[1], strconv.Quote(m[2])))
		case strings.HasPrefix(ev, "finish="), ev == "reset", ev == "skip body", strings.HasPrefix(ev, "pause"):
		default:
			fmt.Fprintf(os.Stderr, "%s: %s: unread event %q\n", file, heading, ev)
			return false
		}
	}
	flush()
	fmt.Fprintf(w, "\ncase %s %s %s\n", kind, filepath.ToSlash(file), strconv.Quote(heading))
	if finish {
		fmt.Fprintln(w, "finish")
	}
	fmt.Fprintf(w, "input %s\n", strconv.Quote(input))
	for _, o := range out {
		fmt.Fprintln(w, o)
	}
	fmt.Fprintln(w, "end")
	return true
}
