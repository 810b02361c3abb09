/*
 * Effect extraction through the internal API: the shell analysis of each
 * command in a table, then ag_effects_extract() against the embedded
 * effects.yaml, compared as "KIND:TARGET" items joined by spaces (an unknown
 * part shows as "?"). The working directory is /repo and the home /home/u.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "effects/effects.h"
#include "eval/unwrap_internal.h"

typedef struct extraction_case {
    const char *command;
    const char *expected;
} extraction_case;

static const extraction_case cases[] = {
    /* Files read. */
    {"cat a b", "read:/repo/a read:/repo/b"},
    {"tac a", "read:/repo/a"},
    {"/bin/cat /etc/passwd", "read:/etc/passwd"},
    {"cat ~/.ssh/id_rsa", "read:/home/u/.ssh/id_rsa"},
    {"cat -", ""},
    {"cat -- -n", "read:/repo/-n"},
    {"head -n 5 a", "read:/repo/a"},
    {"head -n5 a", "read:/repo/a"},
    {"tail -f --lines=3 log", "read:/repo/log"},
    {"less -p x a", "read:/repo/a"},
    {"more a", "read:/repo/a"},
    {"grep -r key src", "read:/repo/src"},
    {"grep -e key src", "read:/repo/src"},
    {"grep -f pats src", "read:/repo/pats read:/repo/src"},
    {"rg -g '*.c' key lib", "read:/repo/lib"},
    {"sed s/a/b/ f", "read:/repo/f"},
    {"sed -i s/a/b/ f", "write:/repo/f"},
    {"sed -n -e p f", "read:/repo/f"},
    {"awk '{print}' f", "read:/repo/f"},
    {"awk -f prog.awk f", "read:/repo/prog.awk read:/repo/f"},
    {"cut -d: -f1 /etc/passwd", "read:/etc/passwd"},
    {"sort -o out in", "write:/repo/out read:/repo/in"},
    {"uniq in out", "read:/repo/in write:/repo/out"},
    {"wc -l a", "read:/repo/a"},
    {"diff -u a b", "read:/repo/a read:/repo/b"},
    {"cmp a b", "read:/repo/a read:/repo/b"},
    {"file a", "read:/repo/a"},
    {"stat -c %s a", "read:/repo/a"},
    {"ls -la /tmp", "read:/tmp"},
    {"find /etc -name '*.conf' -newer ref", "read:/etc read:/repo/ref"},
    {"find . -delete", "write:/repo"},
    {"find . -fprint out", "read:/repo write:/repo/out"},
    {"tree -L 2 src", "read:/repo/src"},
    {"du -sh /var", "read:/var"},
    /* Abbreviated long options, old-style tar keys and cumulative tar -C. */
    {"sort --out=o in", "write:/repo/o read:/repo/in"},
    {"cp --target d x", "write:/repo/d read:/repo/x write:/repo/d/x"},
    {"tar xCf d a.tar", "read:/repo/a.tar write:/repo/d"},
    {"tar cbf 20 a.tar src", "write:/repo/a.tar read:/repo/src"},
    {"tar -C /tmp -C w -xf a.tar", "read:/repo/a.tar write:/tmp/w"},
    {"tar -xf a.tar --one-top-level=t", "read:/repo/a.tar write:/repo write:/repo/t"},
    {"python3.11 -m tarfile -e a.tar", "read:/repo/a.tar write:/repo"},
    /* Host paths bound by containers and sandboxes. */
    {"docker run -v /h:/k:ro img", "read:/h"},
    {"docker run -v /h:/k img", "read:/h write:/h"},
    {"docker run -v vol:/k img", ""},
    {"docker run --mount type=bind,src=/h,dst=/k,readonly img", "read:/h"},
    {"proot -b /h:/k sh", "read:/h write:/h"},
    {"bwrap --ro-bind /h /k sh", "read:/h"},
    /* Files written. */
    {"cp a b", "read:/repo/a write:/repo/b"},
    {"cp -t dir a b", "write:/repo/dir read:/repo/a read:/repo/b write:/repo/dir/a write:/repo/dir/b"},
    {"mv a b", "write:/repo/a write:/repo/b"},
    {"rm -rf build", "write:/repo/build"},
    {"rmdir d", "write:/repo/d"},
    {"mkdir -p -m 755 a/b", "write:/repo/a/b"},
    {"touch -r ref x", "read:/repo/ref write:/repo/x"},
    {"ln -s target link", "write:/repo/link"},
    {"chmod 600 key", "write:/repo/key"},
    {"chown u:g f", "write:/repo/f"},
    {"chgrp g f", "write:/repo/f"},
    {"tee -a log", "write:/repo/log"},
    {"dd if=/dev/sda of=img bs=1M", "read:/dev/sda write:/repo/img"},
    {"tar -xzf a.tgz -C /etc", "read:/repo/a.tgz write:/etc"},
    {"tar xf a.tar", "read:/repo/a.tar write:/repo"},
    {"tar -czf out.tgz src", "write:/repo/out.tgz read:/repo/src"},
    {"tar --list --file=a.tar", "read:/repo/a.tar"},
    {"zip out.zip a b", "write:/repo/out.zip read:/repo/a read:/repo/b"},
    {"unzip a.zip", "read:/repo/a.zip write:/repo"},
    {"unzip a.zip -d /tmp/x", "read:/repo/a.zip write:/tmp/x"},
    {"gzip a", "write:/repo/a"},
    {"gzip -c a", "read:/repo/a"},
    {"truncate -s 0 f", "write:/repo/f"},
    {"install -m 644 a /usr/local/bin/a", "read:/repo/a write:/usr/local/bin/a"},
    {"rsync -av src/ host:/dst", "read:/repo/src network:host"},
    {"scp user@host:/x .", "network:host write:/repo write:/repo/x"},
    {"scp -i key a host:b", "read:/repo/key read:/repo/a network:host"},
    /* Copies into a directory write each source's name there; /repo is not on disk. */
    {"cp x/.mcp.json .", "read:/repo/x/.mcp.json write:/repo write:/repo/.mcp.json"},
    {"cp x/a d/", "read:/repo/x/a write:/repo/d write:/repo/d/a"},
    {"cp x/a d", "read:/repo/x/a write:/repo/d"},
    {"cp a b d", "read:/repo/a read:/repo/b write:/repo/d write:/repo/d/a write:/repo/d/b"},
    {"cp -T x/a d/", "read:/repo/x/a write:/repo/d"},
    {"cp -r x/. d/", "read:/repo/x write:/repo/d"},
    {"cp -r x/ ~", "read:/repo/x write:/home/u write:/home/u/x"},
    {"cp -r ~ d/", "read:/home/u write:/repo/d write:/repo/d/u"},
    {"mkdir d; cp x/a d", "write:/repo/d read:/repo/x/a write:/repo/d write:/repo/d/a"},
    {"mv x/.bashrc ~", "write:/repo/x/.bashrc write:/home/u write:/home/u/.bashrc"},
    {"install -d a b", "write:/repo/a write:/repo/b"},
    {"install -t bin a", "write:/repo/bin read:/repo/a write:/repo/bin/a"},
    {"ln -s /x/y", "write:/repo/y"},
    {"ln -s /x/y/ d/", "write:/repo/d write:/repo/d/y"},
    {"ln -st d /x/y", "write:/repo/d write:/repo/d/y"},
    {"cp $o a b", "read:? read:/repo/a write:/repo/b write:? write:? write:/repo/b/a write:?"},
    {"cp --parents ../.mcp.json d", "read:/.mcp.json write:/repo/d write:/repo/.mcp.json"},
    {"cp --parents a/b /tmp/d", "read:/repo/a/b write:/tmp/d write:/tmp/d/a/b"},
    {"rsync -a src/ d/", "read:/repo/src write:/repo/d"},
    {"rsync -a src d/", "read:/repo/src write:/repo/d write:/repo/d/src"},
    {"scp host:.mcp.json .", "network:host write:/repo write:/repo/.mcp.json"},
    {"scp 'host:*.txt' .", "network:host write:/repo write:?"},
    {"scp -r host:x/. .", "network:host write:/repo"},
    {"scp a.txt host:", "read:/repo/a.txt network:host"},
    /* Hosts contacted. */
    {"curl https://example.com/x", "network:example.com"},
    {"curl example.com/x", "network:example.com"},
    {"curl -o out https://a.example", "write:/repo/out network:a.example"},
    {"curl -O https://a.example/f", "network:a.example write:/repo/f"},
    {"curl --output-dir d -O https://a.example/f", "write:/repo/d network:a.example write:/repo/d/f"},
    {"curl --output-dir d -o x https://a.example/f",
     "write:/repo/d write:/repo/x network:a.example write:/repo/d/x"},
    {"curl -T up https://a.example", "read:/repo/up network:a.example"},
    {"curl -d @body https://a.example", "read:/repo/body network:a.example"},
    {"curl -d x=1 https://a.example", "network:a.example"},
    {"curl -F f=@img.png https://a.example", "read:/repo/img.png network:a.example"},
    {"curl -x http://proxy:3128 https://a.example", "network:proxy network:a.example"},
    /* Unquoted, [::1] is a Bash glob; quoted, the IPv6 host keeps its brackets. */
    {"curl http://[::1]:8080/", "network:?"},
    {"curl 'http://[::1]:8080/'", "network:[::1]"},
    /* IP address literals in canonical form; a bad one is an unknown host. */
    {"curl http://2130706433/", "network:127.0.0.1"},
    {"curl http://0x7f.0.0.1/", "network:127.0.0.1"},
    {"curl http://127.1/", "network:127.0.0.1"},
    {"curl http://0177.0.0.1/", "network:127.0.0.1"},
    {"curl 0xa9fea9fe", "network:169.254.169.254"},
    {"curl 'http://[0:0:0:0:0:0:0:1]/'", "network:[::1]"},
    {"curl 'http://[::ffff:127.0.0.1]/'", "network:127.0.0.1"},
    {"curl http://1.2.3.999/", "network:?"},
    {"curl http://08.0.0.1/", "network:?"},
    /* curl: %XX in the host, globs, and options naming other hosts. */
    {"curl http://evil%2eexample/", "network:evil.example"},
    {"curl http://evil%2fx.example/", "network:?"},
    {"curl http://%65vil.example/", "network:evil.example"},
    {"curl 'http://{evil,good}.example/'", "network:? read:?"},
    {"curl 'http://[e-e]vil.example/'", "network:?"},
    {"curl 'http:/{/evil.example,/x}'", "network:? read:?"},
    /* A glob may name a local file too: file:///x/id_rs[a-a], {file,http}://. */
    {"curl 'file:///h/.ssh/id_rs[a-a]'", "network:? read:?"},
    {"curl FILE:///h/.ssh/id_rsa", "read:/h/.ssh/id_rsa"},
    {"curl -g 'http://a.example/?q[]=1'", "network:a.example"},
    {"curl 'a.example/?x=://b.example'", "network:a.example"},
    {"curl --connect-to a.example:443:evil.example:443 https://a.example",
     "network:evil.example network:a.example"},
    {"curl --resolve 'a.example:443:127.0.0.1,[::1]' https://a.example",
     "network:127.0.0.1 network:[::1] network:a.example"},
    {"curl --socks5-hostname evil.example:1080 https://a.example",
     "network:evil.example network:a.example"},
    {"curl --doh-url https://evil.example/dns https://a.example",
     "network:evil.example network:a.example"},
    /* ssh, scp and sftp: -o Hostname and ProxyJump, -W, forwarding. */
    {"ssh -o Hostname=evil.example good", "network:evil.example network:good"},
    {"ssh -oHostname=evil.example good", "network:evil.example network:good"},
    {"ssh -o 'Hostname evil.example' good", "network:evil.example network:good"},
    {"ssh good -o HostName=evil.example", "network:good network:evil.example"},
    {"ssh good ls -o x", "network:good"},
    {"ssh -o ProxyJump=j1.example,u@j2.example:22 good",
     "network:j1.example network:j2.example network:good"},
    {"ssh -o Hostname=%h.evil good", "network:? network:good"},
    {"ssh -W evil.example:22 good", "network:evil.example network:good"},
    {"ssh -L 8080:evil.example:80 good", "network:evil.example network:good"},
    {"ssh -R '0.0.0.0:9000:[::1]:80' good", "network:[::1] network:good"},
    {"ssh ::1", "network:[::1]"},
    {"scp -o Hostname=evil.example a good:b",
     "network:evil.example read:/repo/a network:good"},
    {"sftp -J jump.example u@h.example", "network:jump.example network:h.example"},
    /* rsync and git remotes. */
    {"rsync -a rsync://evil.example/mod/ dst", "network:evil.example write:/repo/dst"},
    {"rsync -a evil.example::mod/ dst", "network:evil.example write:/repo/dst"},
    {"git clone '[git@evil.example]:o/r.git' d", "network:evil.example write:/repo/d"},
    {"git -c http.proxy=http://evil.example:3128 status", "network:evil.example"},
    {"git -c url.https://evil.example/.insteadOf=https://h.example/ fetch",
     "network:?"},
    {"git submodule add https://evil.example/r.git sub",
     "network:evil.example write:/repo/sub write:/repo/.gitmodules write:/repo/.git"},
    {"git remote add o https://evil.example/r.git", ""},
    /* Other network clients. */
    {"wget -i urls.txt", "read:/repo/urls.txt network:? write:/repo"},
    {"wget -i -", "network:? write:/repo"},
    {"ftp evil.example", "network:evil.example"},
    {"telnet evil.example 25", "network:evil.example"},
    {"socat - TCP:evil.example:80", "network:evil.example"},
    {"socat TCP-LISTEN:8080 STDOUT", ""},
    {"openssl s_client -connect evil.example:443", "network:evil.example"},
    {"curl file:///etc/passwd", "read:/etc/passwd"},
    /* $URL may be -O, which saves under a name unknown here: the directory is a tree.
     * Unquoted, it may also split into `-o FILE`, which writes an unknown path. */
    {"curl $URL", "network:? write:/repo write:?"},
    {"curl \"$URL\"", "network:? write:/repo"},
    {"wget https://a.example/f", "network:a.example write:/repo/f"},
    {"wget https://a.example/", "network:a.example write:/repo/index.html"},
    {"wget -P d https://a.example/f", "write:/repo/d network:a.example write:/repo/d/f"},
    {"wget -O out https://a.example/f", "write:/repo/out network:a.example"},
    {"git clone https://h.example/r.git", "network:h.example write:/repo"},
    {"git clone git@h.example:o/r.git dir", "network:h.example write:/repo/dir"},
    {"git clone ../other copy", "read:/other write:/repo/copy"},
    {"git fetch https://h.example/r", "network:h.example"},
    {"git pull origin main", "write:/repo"},
    {"git push --force https://h.example/r main", "network:h.example"},
    {"git -C /src fetch ../up", "chdir:/src read:/up"},
    {"git status", ""},
    {"git diff --no-index a /etc/b", "read:/repo/a read:/etc/b"},
    {"git --no-pager diff --output=out", "write:/repo/out"},
    {"git -P log --output out", "write:/repo/out"},
    {"git -c a=b show --output=out HEAD", "write:/repo/out"},
    {"git --exec-path blame f", "read:/repo/f"},
    {"git --git-dir=g --work-tree=w status", "write:/repo/g write:/repo/w"},
    {"git blame --contents c f", "read:/repo/c read:/repo/f"},
    {"git hash-object -w f", "read:/repo/f"},
    {"git grep --no-index -e key dir", "read:/repo/dir"},
    {"git bundle create b.bundle HEAD", "write:/repo/b.bundle"},
    {"git apply p.patch", "read:/repo/p.patch write:/repo"},
    {"git am x.mbox", "read:/repo/x.mbox write:/repo"},
    {"git format-patch -o out HEAD~1", "write:/repo/out"},
    {"git format-patch HEAD~1", "write:/repo"},
    {"git checkout -- f", "write:/repo/f"},
    {"git reset --hard", "write:/repo"},
    {"git archive -o a.tar HEAD", "write:/repo/a.tar"},
    {"git -C /src checkout .", "chdir:/src write:/src"},
    /* git config: the action decides read or write, the scope the file. */
    {"git config core.hooksPath /tmp/h", "write:/repo/.git/config"},
    {"git config --global core.pager x", "write:/home/u/.gitconfig write:/home/u/.config/git/config"},
    {"git config --system core.pager x", "write:/etc/gitconfig"},
    {"git config --worktree a.b c", "write:/repo/.git/config write:/repo/.git/config.worktree"},
    {"git config --unset a.b", "write:/repo/.git/config"},
    {"git config set a.b c", "write:/repo/.git/config"},
    {"git config -f cfg --get a.b", "read:/repo/cfg"},
    {"git config --file=cfg a.b c", "write:/repo/cfg"},
    {"git config --file --get a.b c", "write:/repo/--get"},
    {"git -C sub config a.b c", "chdir:/repo/sub write:/repo/sub/.git/config"},
    {"git config --get a.b", ""},
    {"git config -l", ""},
    {"git config get a.b", ""},
    {"git config a.b", ""},
    {"git config --blob HEAD:cfg a.b c", ""},
    /* git init writes DIR and DIR/.git. */
    {"git init", "write:/repo write:/repo/.git"},
    {"git init d", "write:/repo/d write:/repo/d/.git"},
    {"git -C .git init", "chdir:/repo/.git write:/repo/.git write:/repo/.git/.git"},
    {"git init --bare /srv/r", "write:/srv/r"},
    {"git init --template t d", "read:/repo/t write:/repo/d write:/repo/d/.git"},
    {"ssh host", "network:host"},
    {"ssh -i key u@host ls /", "read:/repo/key network:host"},
    {"nc -v host 80", "network:host"},
    {"python3 script.py arg", "read:/repo/script.py"},
    {"python -c 'print(1)' x", ""},
    {"python3 -m http.server", "read:/repo"},
    {"pip install requests", "network:?"},
    {"pip install -r req.txt", "read:/repo/req.txt network:?"},
    {"pip install -i https://mirror.example/simple x", "network:mirror.example"},
    {"pip list", ""},
    {"npm install", "network:?"},
    {"npm ci --registry https://r.example", "network:r.example"},
    {"npm run test", ""},
    /* Redirections. */
    {"echo x > out", "write:/repo/out"},
    {"echo x >> ~/.bashrc", "write:/home/u/.bashrc"},
    {"echo x >| out", "write:/repo/out"},
    {"echo x &> out", "write:/repo/out"},
    {"echo x &>> out", "write:/repo/out"},
    {"echo x 2> err", "write:/repo/err"},
    {"cat < in", "read:/repo/in"},
    /* tree-sitter-bash reads `3<>` as `3<` and an ERROR `>`, which the
     * shell analysis joins again. */
    {"cat 3<> f", "read:/repo/f write:/repo/f"},
    {"echo x > /dev/null 2>&1", ""},
    {"echo x > /dev/stderr", ""},
    {"cat < /dev/fd/3", "read:?/3"},
    {"cat <<EOF\nx\nEOF", ""},
    {"cat <<< word", ""},
    {"{ echo a; } > out", "write:/repo/out"},
    /* A redirection target that may be /dev/tcp/HOST/PORT contacts an unknown host. */
    {"echo x > $F", "network:? write:?"},
    /* /dev/tcp and /dev/udp redirections open a socket, not a file. */
    {"cat < /dev/tcp/h.example/80", "network:h.example"},
    {"echo x > /dev/udp/h.example/53", "network:h.example"},
    {"echo x >> /dev/tcp/h.example/80/x", "network:h.example"},
    {"cat < /dev/tcp/$H/80", "network:?"},
    {"cat < /dev/tcp/h.example", "read:/dev/tcp/h.example"},
    {"cat /dev/tcp/h.example/80", "read:/dev/tcp/h.example/80"},
    /* Globs: each glob character of a dynamic word is an unknown part. */
    {"cat ~/.ss?/id_rsa", "read:?/id_rsa"},
    {"cat ~/.s*/id_rsa", "read:?/id_rsa"},
    {"cat ~/.[s]sh/id_rsa", "read:?s]sh/id_rsa"},
    {"cat /home/*/.ssh/id_rsa", "read:?/.ssh/id_rsa"},
    {"cat '/home/*/x'", "read:/home/*/x"},
    {"echo x > .git/hook?/pre-commit", "write:?/pre-commit"},
    {"cd ~/.ss? && cat id_rsa", "chdir:? read:?/id_rsa"},
    {"git -C /s?c status", "chdir:?c"},
    /* Paths through /proc and /dev/fd links are unknown from the link on. */
    {"cat /proc/self/root/etc/shadow", "read:?/etc/shadow"},
    {"cat /proc/42/task/42/root/etc/shadow", "read:?/etc/shadow"},
    {"cat /proc/thread-self/cwd/.env", "read:?/.env"},
    {"cat /proc/self/fd/3", "read:?/3"},
    {"cat /dev/fd/3/x", "read:?/3/x"},
    {"cat /dev/stdin/x", "read:?/x"},
    {"cat /proc/cpuinfo", "read:/proc/cpuinfo"},
    /* A link made earlier in the request: later relative paths and paths under it are unknown. */
    {"ln -s ~/.ssh k; cat k/id_rsa", "write:/repo/k read:/repo/k/id_rsa@?/k/id_rsa"},
    {"ln -s ~/.ssh /tmp/k; cat /tmp/k/id_rsa /etc/x", "write:/tmp/k read:/tmp/k/id_rsa@?/id_rsa read:/etc/x"},
    {"mv a k; cat k/x", "write:/repo/a write:/repo/k read:/repo/k/x@?/x"},
    {"cp -s a b; cat c", "read:/repo/a write:/repo/b read:/repo/c@?/c"},
    {"cp a b; cat c", "read:/repo/a write:/repo/b read:/repo/c"},
    /* cat may make k a directory first, so ln may link k/etc. */
    {"cat k/x; ln -s /etc k", "read:/repo/k/x write:/repo/k write:/repo/k/etc"},
    /* Directories. */
    {"cd /etc && cat shadow", "chdir:/etc read:/etc/shadow"},
    {"cd /etc; cat shadow", "chdir:/etc read:/etc/shadow read:/repo/shadow"},
    {"cd /etc; cat /abs", "chdir:/etc read:/abs"},    /* found once, not once per directory */
    {"cd /etc && cd sub; cat a", "chdir:/etc chdir:/etc/sub read:/etc/sub/a read:/etc/a read:/repo/a"},
    {"cd /etc && cd sub && cat a", "chdir:/etc chdir:/etc/sub read:/etc/sub/a"},
    {"cd sub && cat a", "chdir:/repo/sub read:/repo/sub/a"},
    {"cd && cat .bashrc", "chdir:/home/u read:/home/u/.bashrc"},
    {"cd ~/.ssh && cat id_rsa", "chdir:/home/u/.ssh read:/home/u/.ssh/id_rsa"},
    {"(cd /etc); cat shadow", "chdir:/etc read:/repo/shadow"},
    {"(cd /etc; cat shadow)", "chdir:/etc read:?/shadow"},
    {"cd /etc | cat shadow", "chdir:/etc read:/repo/shadow"},
    {"cd /etc & cat shadow", "chdir:/etc read:/repo/shadow"},
    {"echo $(cd /etc) && cat shadow", "chdir:/etc read:/repo/shadow"},
    {"f() { cd /etc; }; cat shadow", "chdir:/etc read:?/shadow"},
    {"cd $D && cat shadow", "chdir:? read:?/shadow"},
    {"cd - && cat a", "chdir:? read:?/a"},
    {"pushd /etc && cat a", "chdir:/etc read:/etc/a"},
    {"pushd /etc && popd && cat a", "chdir:/etc read:?/a"},
    {"cd /etc && cat /abs", "chdir:/etc read:/abs"},
    /* Unknown commands and dynamic names have only their redirections. */
    {"make all", ""},    /* make is in the table, but its targets are no files */
    {"$CMD a b > out", "write:/repo/out read:? write:? network:?"},
    {"cat $F", "read:?"},
    /* Commands added for reads, and the writes of editors and in-place tools. */
    {"openssl enc -d -in k -out o", "read:/repo/k write:/repo/o"},
    {"openssl rsa -passin file:pw -inkey k", "read:/repo/pw read:/repo/k"},
    {"openssl dgst -sha256 f", "read:/repo/f"},
    {"jq .a f", "read:/repo/.a read:/repo/f"},
    {"jq -n --rawfile k f .", "read:/repo/f read:/repo"},
    {"jq -f prog f", "read:/repo/prog read:/repo/f"},
    {"rev f", "read:/repo/f"},
    {"iconv -f utf8 -t ascii -o out in", "write:/repo/out read:/repo/in"},
    {"xxd in out", "read:/repo/in write:/repo/out"},
    {"hexdump -n 16 f", "read:/repo/f"},
    {"shuf -o out in", "write:/repo/out read:/repo/in"},
    {"split -l 10 in part", "read:/repo/in write:/repo/part"},
    {"split in", "read:/repo/in write:/repo/x"},
    {"csplit -f p in 5", "write:/repo/p read:/repo/in"},
    {"look word dict", "read:/repo/dict"},
    {"ssh-keygen -t ed25519 -f k", "write:/repo/k"},
    {"ssh-keygen -R host", "write:/home/u/.ssh"},
    {"gpg -o out -d in", "write:/repo/out read:/repo/in"},
    {"make -C sub -f mk all", "chdir:/repo/sub read:/repo/sub/mk"},
    {"vim f", "write:/repo/f"},
    {"nano -w f", "write:/repo/f"},
    {"patch f p.diff", "write:/repo/f read:/repo/p.diff"},
    {"patch -p1 -i p.diff", "read:/repo/p.diff write:/repo"},
    {"perl -pi -e s/a/b/ f", "write:/repo/f"},
    {"perl script.pl f", "read:/repo/script.pl read:/repo/f"},
    {"ruby -i -pe x f", "write:/repo/f"},
    {"chattr -i f", "write:/repo/f"},
    {"setfacl -m u:x:rw f", "write:/repo/f"},
    {"mkfifo p", "write:/repo/p"},
    {"mknod p c 1 3", "write:/repo/p"},
    {"exiftool -all= f", "write:/repo/f"},
    {"convert a.png b.png", "read:/repo/a.png write:/repo/b.png"},
};

static const char *format_effects(const ag_effect_list *list, char *buffer, size_t size)
{
    size_t used = 0;
    buffer[0] = '\0';
    for (size_t i = 0; i < list->count; i++) {
        const ag_effect *effect = &list->items[i];
        const char *kind = ag_effect_kind_name(effect->kind);
        used += (size_t)snprintf(buffer + used, size - used, "%s%s:", i > 0 ? " " : "", kind);
        for (const char *c = effect->target; *c != '\0' && used + 1 < size; c++)
            buffer[used++] = *c == AG_DYNAMIC_MARK ? '?' : *c;
        /* Where a path below a link the request made leads, after "@". */
        if (effect->new_link_target != NULL && used + 1 < size)
            buffer[used++] = '@';
        for (const char *c = effect->new_link_target; c != NULL && *c != '\0' && used + 1 < size;
             c++)
            buffer[used++] = *c == AG_DYNAMIC_MARK ? '?' : *c;
        buffer[used] = '\0';
    }
    return buffer;
}

static ag_effects_table *table;

static int load_table(void **state)
{
    (void)state;
    ag_error *error = NULL;
    table = ag_effects_table_load(&error);
    if (table == NULL)
        fail_msg("effects.yaml does not load: %s", ag_error_message(error));
    return 0;
}

static int free_table(void **state)
{
    (void)state;
    ag_effects_table_free(table);
    return 0;
}

static void test_extraction_table(void **state)
{
    (void)state;
    ag_shell_analyzer *analyzer = ag_shell_analyzer_new();
    assert_non_null(analyzer);
    ag_shell_limits limits = {0, AG_SHELL_DEFAULT_MAX_DEPTH, AG_SHELL_DEFAULT_MAX_COMMANDS, 0};
    ag_path_context context = {"/repo", "/home/u", NULL, NULL};
    int failures = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ag_arena arena;
        ag_arena_init(&arena);
        ag_shell_analysis analysis;
        const char *command = cases[i].command;
        assert_int_equal(ag_shell_analyze(analyzer, command, strlen(command), &limits, &arena,
                                          &analysis), AG_OK);
        ag_effect_list list = {0};
        assert_int_equal(ag_effects_extract(&arena, table, analysis.commands,
                                            analysis.command_count, &context, strlen(command),
                                            &list), AG_OK);
        char actual[1024];
        format_effects(&list, actual, sizeof(actual));
        if (strcmp(actual, cases[i].expected) != 0) {
            print_error("%s\n  expected: %s\n  actual:   %s\n", command, cases[i].expected, actual);
            failures++;
        }
        ag_arena_release(&arena);
    }
    ag_shell_analyzer_free(analyzer);
    assert_int_equal(failures, 0);
}

/*
 * Extraction normalizes most paths without ag_path_normalize(), so each
 * spelling here must come out as ag_path_normalize() writes it. None has a
 * "..", which makes normalizing read the file system.
 */
static void test_extraction_normalizes_like_paths(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "a", "a/b", "a//b", "a/", "a///", "./a", "a/.", ".", "./", "/", "//", "/a/b", "/a//b/",
        "/a/./b", "/.", "/.hidden/x", "..a/b", "a/..b", ".a", "a/.../b", "~/x", "~", "x~",
    };
    static const char *const cwds[] = {"/repo", "/", "/r/.x", "/r//s/"};
    ag_shell_analyzer *analyzer = ag_shell_analyzer_new();
    assert_non_null(analyzer);
    ag_shell_limits limits = {0, AG_SHELL_DEFAULT_MAX_DEPTH, AG_SHELL_DEFAULT_MAX_COMMANDS, 0};

    for (size_t c = 0; c < sizeof(cwds) / sizeof(cwds[0]); c++) {
        for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
            ag_arena arena;
            ag_arena_init(&arena);
            ag_path_context context = {cwds[c], "/home/u", NULL, NULL};
            char command[64];
            snprintf(command, sizeof(command), "cat -- %s", paths[p]);
            ag_shell_analysis analysis;
            assert_int_equal(ag_shell_analyze(analyzer, command, strlen(command), &limits,
                                              &arena, &analysis), AG_OK);
            ag_effect_list list = {0};
            assert_int_equal(ag_effects_extract(&arena, table, analysis.commands,
                                                analysis.command_count, &context,
                                                strlen(command), &list), AG_OK);
            const char *expected = ag_path_normalize(&arena, &context, paths[p],
                                                     strlen(paths[p]));
            assert_int_equal(list.count, 1);
            assert_string_equal(list.items[0].target, expected);
            ag_arena_release(&arena);
        }
    }
    ag_shell_analyzer_free(analyzer);
}

/*
 * Reasons show a printable effect target of up to 64 bytes as it is,
 * without ag_quote_text() (decide.c), which must then return it unchanged.
 */
static void test_quote_keeps_short_text(void **state)
{
    (void)state;
    char text[65];
    for (size_t i = 0; i < sizeof(text) - 1; i++)
        text[i] = (char)(0x20 + i % 0x5f);
    text[sizeof(text) - 1] = '\0';
    ag_arena arena;
    ag_arena_init(&arena);
    for (size_t length = 0; length < sizeof(text); length++)
        assert_memory_equal(ag_quote_text(&arena, text, length), text, length);
    assert_string_equal(ag_quote_text(&arena, text, sizeof(text) - 1), text);
    ag_arena_release(&arena);
}

/* Each control byte at each offset ends the printable prefix there; bytes from 0x80 do not. */
static void test_printable_prefix_stops_at_control(void **state)
{
    (void)state;
    static const unsigned char controls[] = {0x00, 0x01, 0x09, 0x0a, 0x1f, 0x7f};
    char text[24];
    for (size_t c = 0; c < sizeof(controls); c++) {
        for (size_t at = 0; at < sizeof(text); at++) {
            for (size_t i = 0; i < sizeof(text); i++)
                text[i] = (char)(i % 2 == 0 ? 'a' : 0xe4);
            text[at] = (char)controls[c];
            assert_int_equal(ag_printable_prefix(text, sizeof(text)), at);
            assert_int_equal(ag_printable_prefix(text, at), at);
        }
    }
    memset(text, ' ', sizeof(text));
    assert_int_equal(ag_printable_prefix(text, sizeof(text)), sizeof(text));
    assert_int_equal(ag_printable_prefix(text, 0), 0);
}

static void test_table_rejects_unknown_key(void **state)
{
    (void)state;
    static const char text[] = "commands:\n  cat:\n    operand: [read...]\n";
    ag_error *error = NULL;
    assert_null(ag_effects_table_parse("bad.yaml", text, sizeof(text) - 1, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_POLICY_VALUE);
    assert_int_equal(ag_error_line(error), 3);
    ag_error_free(error);
}

static void test_table_rejects_unknown_role(void **state)
{
    (void)state;
    static const char text[] = "commands:\n  cat:\n    operands: [reads]\n";
    ag_error *error = NULL;
    assert_null(ag_effects_table_parse("bad.yaml", text, sizeof(text) - 1, &error));
    assert_non_null(strstr(ag_error_message(error), "reads"));
    ag_error_free(error);
}

/*
 * Keys that would be ignored are load errors: tree_with without tree, follow
 * lists without follows_links, writes_anywhere lists without
 * writes_anywhere, default_read_with without default_read.
 */
static void test_table_rejects_lone_tree_keys(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "commands:\n  grep:\n    tree_with: [-r]\n",
        "commands:\n  grep:\n    follows_links: true\n",
        "commands:\n  grep:\n    tree: read\n    follows_links_with: [-R]\n",
        "commands:\n  grep:\n    tree: both\n",
        "commands:\n  grep:\n    tree: read\n    tree_with: [r]\n",
        "commands:\n  make:\n    runs_files: Makefile\n",
        "commands:\n  cpio:\n    writes_anywhere_with: [-i]\n",
        "commands:\n  cpio:\n    writes_anywhere_unless: [--no-absolute-filenames]\n",
        "commands:\n  pax:\n    default_read_with: [-w]\n",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        ag_error *error = NULL;
        assert_null(ag_effects_table_parse("bad.yaml", texts[i], strlen(texts[i]), &error));
        assert_int_equal(ag_error_code(error), AG_ERR_POLICY_VALUE);
        ag_error_free(error);
    }
}

static void test_table_rejects_invalid_yaml(void **state)
{
    (void)state;
    static const char text[] = "commands: [\n";
    ag_error *error = NULL;
    assert_null(ag_effects_table_parse("bad.yaml", text, sizeof(text) - 1, &error));
    assert_int_equal(ag_error_code(error), AG_ERR_YAML);
    ag_error_free(error);
}

static void test_effect_kind_names(void **state)
{
    (void)state;
    assert_string_equal(ag_effect_kind_name(AG_EFFECT_READ), "read");
    assert_string_equal(ag_effect_kind_name(AG_EFFECT_WRITE), "write");
    assert_string_equal(ag_effect_kind_name(AG_EFFECT_CHDIR), "chdir");
    assert_string_equal(ag_effect_kind_name(AG_EFFECT_NETWORK), "network");
    assert_string_equal(ag_effect_kind_name((ag_effect_kind)9), "unknown");
}

static void assert_same_text(const char *built, const char *parsed)
{
    if (built == NULL || parsed == NULL)
        assert_ptr_equal(built, parsed);
    else
        assert_string_equal(built, parsed);
}

/* Compares the build-time table with effects.yaml parsed now, field by field. */
static void assert_same_spec(const ag_effect_spec *built, const ag_effect_spec *parsed)
{
    assert_string_equal(built->name, parsed->name);
    assert_int_equal(built->option_count, parsed->option_count);
    for (size_t i = 0; i < built->option_count; i++) {
        assert_string_equal(built->options[i].name, parsed->options[i].name);
        assert_int_equal(built->options[i].kind, parsed->options[i].kind);
        assert_int_equal(built->options[i].role, parsed->options[i].role);
    }
    assert_int_equal(built->operand_count, parsed->operand_count);
    for (size_t i = 0; i < built->operand_count; i++)
        assert_int_equal(built->operands[i], parsed->operands[i]);
    assert_int_equal(built->repeat_last, parsed->repeat_last);
    assert_int_equal(built->has_last, parsed->has_last);
    assert_int_equal(built->last, parsed->last);
    assert_int_equal(built->assignment_count, parsed->assignment_count);
    for (size_t i = 0; i < built->assignment_count; i++) {
        assert_string_equal(built->assignments[i].key, parsed->assignments[i].key);
        assert_int_equal(built->assignments[i].role, parsed->assignments[i].role);
    }
    assert_int_equal(built->remote_operands, parsed->remote_operands);
    assert_int_equal(built->options_first, parsed->options_first);
    assert_int_equal(built->single_dash_long, parsed->single_dash_long);
    assert_int_equal(built->stop_at_option, parsed->stop_at_option);
    assert_same_text(built->default_write, parsed->default_write);
    assert_same_text(built->default_network, parsed->default_network);
    assert_int_equal(built->dashless_first, parsed->dashless_first);
    assert_int_equal(built->short_equals, parsed->short_equals);
    assert_int_equal(built->minus_negates, parsed->minus_negates);
    assert_int_equal(built->writes.count, parsed->writes.count);
    for (size_t i = 0; i < built->writes.count; i++)
        assert_string_equal(built->writes.items[i], parsed->writes.items[i]);
    assert_int_equal(built->writes_anywhere, parsed->writes_anywhere);
    assert_int_equal(built->anywhere_options.count, parsed->anywhere_options.count);
    assert_int_equal(built->no_anywhere_options.count, parsed->no_anywhere_options.count);
    assert_same_text(built->default_read, parsed->default_read);
    assert_int_equal(built->default_read_options.count, parsed->default_read_options.count);
    assert_int_equal(built->handler, parsed->handler);
    assert_int_equal(built->subcommand_count, parsed->subcommand_count);
    assert_int_equal(built->subcommands_anywhere, parsed->subcommands_anywhere);
    for (size_t i = 0; i < built->subcommand_count; i++)
        assert_same_spec(&built->subcommands[i], &parsed->subcommands[i]);
}

static void test_builtin_table_matches_yaml(void **state)
{
    (void)state;
    const ag_effects_table *built = ag_effects_table_builtin();
    assert_int_equal(built->spec_count, table->spec_count);
    for (size_t i = 0; i < built->spec_count; i++)
        assert_same_spec(&built->specs[i], &table->specs[i]);
}

/* Returns `name` with its first letter in uppercase, in `buffer`. */
static const char *capitalized(char *buffer, size_t size, const char *name)
{
    snprintf(buffer, size, "%s", name);
    if (buffer[0] >= 'a' && buffer[0] <= 'z')
        buffer[0] = (char)(buffer[0] - 'a' + 'A');
    return buffer;
}

static void test_table_lookup_edges(void **state)
{
    (void)state;
    const ag_effects_table *built = ag_effects_table_builtin();
    assert_true(built->spec_count > 2);
    for (size_t i = 1; i < built->spec_count; i++)
        assert_true(strcmp(built->specs[i - 1].name, built->specs[i].name) < 0);
    for (size_t i = 0; i < built->spec_count; i++)
        assert_ptr_equal(ag_effects_table_find(built, built->specs[i].name), &built->specs[i]);

    /* The first and last entries, one byte shorter or longer, and in uppercase. */
    const char *ends[] = {built->specs[0].name, built->specs[built->spec_count - 1].name};
    char text[128];
    for (size_t i = 0; i < 2; i++) {
        size_t length = strlen(ends[i]);
        snprintf(text, sizeof(text), "%.*s", (int)(length - 1), ends[i]);
        const ag_effect_spec *shorter = ag_effects_table_find(built, text);
        assert_true(shorter == NULL || strcmp(shorter->name, text) == 0);
        snprintf(text, sizeof(text), "%s~", ends[i]);
        assert_null(ag_effects_table_find(built, text));
        /* A name that starts with a digit (7z) reads the same capitalized. */
        if (strcmp(capitalized(text, sizeof(text), ends[i]), ends[i]) != 0)
            assert_null(ag_effects_table_find(built, text));
    }
    assert_null(ag_effects_table_find(built, ""));
    assert_null(ag_effects_table_find(built, "CAT"));

    /* Where one name starts the next, each still finds its own entry. */
    size_t prefixes = 0;
    for (size_t i = 1; i < built->spec_count; i++) {
        const char *first = built->specs[i - 1].name;
        if (strncmp(first, built->specs[i].name, strlen(first)) != 0)
            continue;
        assert_ptr_equal(ag_effects_table_find(built, first), &built->specs[i - 1]);
        assert_ptr_equal(ag_effects_table_find(built, built->specs[i].name), &built->specs[i]);
        prefixes++;
    }
    assert_true(prefixes > 0);
}

static void test_table_parse_sorts_entries(void **state)
{
    (void)state;
    static const char text[] = "commands:\n"
                               "  zz:\n    operands: [read]\n"
                               "  aa:\n    operands: [write]\n    aliases: [mm]\n";
    ag_error *error = NULL;
    ag_effects_table *parsed = ag_effects_table_parse("sorted.yaml", text, sizeof(text) - 1,
                                                      &error);
    assert_non_null(parsed);
    assert_int_equal(parsed->spec_count, 3);
    assert_string_equal(parsed->specs[0].name, "aa");
    assert_string_equal(parsed->specs[1].name, "mm");
    assert_string_equal(parsed->specs[2].name, "zz");
    assert_int_equal(ag_effects_table_find(parsed, "zz")->operands[0], AG_ROLE_READ);
    assert_int_equal(ag_effects_table_find(parsed, "mm")->operands[0], AG_ROLE_WRITE);
    assert_null(ag_effects_table_find(parsed, "z"));
    ag_effects_table_free(parsed);
}

static void test_table_rejects_alias_twice(void **state)
{
    (void)state;
    /* The key comes first, so only the check after sorting finds that the alias repeats it. */
    static const char text[] = "commands:\n"
                               "  tac:\n    operands: [read]\n"
                               "  cat:\n    operands: [read]\n    aliases: [tac]\n";
    ag_error *error = NULL;
    assert_null(ag_effects_table_parse("twice.yaml", text, sizeof(text) - 1, &error));
    assert_non_null(strstr(ag_error_message(error), "'tac' has two entries"));
    ag_error_free(error);
}

static void test_name_compare(void **state)
{
    (void)state;
    assert_int_equal(ag_name_compare("ssh", "ssh", 3), 0);
    assert_true(ag_name_compare("ssh", "ssh-agent", 9) < 0);
    assert_true(ag_name_compare("ssh-agent", "ssh", 3) > 0);
    assert_true(ag_name_compare("ssh", "sh", 2) > 0);
    assert_true(ag_name_compare("sh", "ssh", 3) < 0);
    assert_true(ag_name_compare("sh", "sh\0x", 4) < 0);
    assert_true(ag_name_compare("sh", "SH", 2) > 0);
}

static void test_wrapper_lookup_edges(void **state)
{
    (void)state;
    size_t count = 0;
    const ag_wrapper *wrappers = ag_wrapper_table(&count);
    assert_true(ag_sorted_is_strict(wrappers, count, sizeof(*wrappers)));
    for (size_t i = 0; i < count; i++)
        assert_ptr_equal(ag_wrapper_find(wrappers[i].name, strlen(wrappers[i].name)),
                         &wrappers[i]);

    static const char *const found[] = {"!", ".", "{", "zsh", "ssh", "ssh-agent", "ksh", "ksh93",
                                        "proxychains", "proxychains4", "sudo", "su"};
    for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
        const ag_wrapper *wrapper = ag_wrapper_find(found[i], strlen(found[i]));
        assert_non_null(wrapper);
        assert_string_equal(wrapper->name, found[i]);
    }
    static const char *const missing[] = {"", "..", "zs", "zshh", "sud", "sudoo", "SUDO",
                                          "Sudo", "ssh-", "proxychains5", "-", "|"};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
        assert_null(ag_wrapper_find(missing[i], strlen(missing[i])));
    assert_null(ag_wrapper_find("sh\0x", 4));
    assert_non_null(ag_wrapper_find("shx", 2));    /* only `length` bytes count */

    /* The quick filter passes every tool that has a subcommand runner ("uv" of "uv run"). */
    for (size_t i = 0; i < count; i++) {
        const char *space = strchr(wrappers[i].name, ' ');
        if (space != NULL)
            assert_true(ag_wrapper_may_have_subcommands(wrappers[i].name,
                                                        (size_t)(space - wrappers[i].name)));
    }
    assert_false(ag_wrapper_may_have_subcommands("python", 6));
}

static void test_name_tables_sorted(void **state)
{
    (void)state;
    assert_true(ag_interpreter_index_is_consistent());
    assert_true(ag_tool_table_is_sorted());
    assert_true(ag_global_table_is_consistent());
    assert_true(ag_package_manager_tables_are_sorted());
    assert_true(ag_builtin_table_is_sorted());
    assert_true(ag_shell_option_tables_are_sorted());
}

/* Reads the option cluster `option` of `read OPTION NEXT` with read's letters. */
static ag_option_value read_cluster(const char *option, const char *next, bool strict)
{
    static ag_shell_word words[3];
    words[0] = (ag_shell_word){"read", 4, false, 0, 4, AG_WORD_VARIABLE_NONE, true, false};
    words[1] = (ag_shell_word){option, strlen(option), false, 5, 5 + (uint32_t)strlen(option),
                                AG_WORD_VARIABLE_NONE, true, false};
    words[2] = (ag_shell_word){next, strlen(next), false, 0, 0, AG_WORD_VARIABLE_NONE, true, false};
    const ag_name_syntax *syntax = ag_shell_find_name_syntax("read");
    assert_non_null(syntax);
    return ag_shell_read_option_cluster(words, next[0] != '\0' ? 3 : 2, 1, syntax->values,
                                        syntax->names, strict ? syntax->flags : NULL);
}

static void test_option_cluster_scan(void **state)
{
    (void)state;

    ag_option_value value = read_cluster("-ra", "NAME", true);   /* the name in the next word */
    assert_true(value.found);
    assert_true(value.is_name);
    assert_string_equal(value.word.text, "NAME");
    assert_int_equal(value.words_used, 1);

    value = read_cluster("-raNAME", "x", true);                  /* attached to the letter */
    assert_true(value.found);
    assert_true(value.is_name);
    assert_string_equal(value.word.text, "NAME");
    assert_int_equal(value.word.length, 4);
    assert_int_equal(value.words_used, 0);

    value = read_cluster("-rp", "PROMPT", true);                 /* a value that is no name */
    assert_true(value.found);
    assert_false(value.is_name);
    assert_int_equal(value.words_used, 1);

    value = read_cluster("-a", "", true);                        /* the value is missing */
    assert_false(value.found);
    assert_int_equal(value.words_used, 0);

    value = read_cluster("-rs", "NAME", true);                   /* only flags */
    assert_false(value.found);
    assert_false(value.unknown);
    assert_int_equal(value.words_used, 0);

    value = read_cluster("-xa", "NAME", true);                   /* unknown letter, strict */
    assert_true(value.unknown);
    assert_int_equal(value.letter, 'x');
    assert_false(value.found);

    value = read_cluster("-xa", "NAME", false);                  /* the same, with any flag */
    assert_false(value.unknown);
    assert_true(value.found);
    assert_true(value.is_name);
    assert_int_equal(value.words_used, 1);

    assert_null(ag_shell_find_name_syntax("echo"));
}

/* Returns whether ag_interpreter_mark() marks the command `NAME OPTION 1` as running code. */
static bool marks_code(const char *name, const char *option)
{
    ag_shell_word words[3] = {
        {name, strlen(name), false, 0, 0, AG_WORD_VARIABLE_NONE, true, false},
        {option, strlen(option), false, 0, 0, AG_WORD_VARIABLE_NONE, true, false},
        {"1", 1, false, 0, 0, AG_WORD_VARIABLE_NONE, true, false},
    };
    ag_shell_command command = {0};
    command.words = words;
    command.word_count = 3;
    ag_interpreter_mark(&command);
    return (command.flags & AG_COMMAND_RUNS_CODE) != 0;
}

static void test_interpreter_lookup_edges(void **state)
{
    (void)state;
    assert_true(marks_code("R", "-e"));         /* the first name of the index */
    assert_true(marks_code("Rscript", "-e"));
    assert_true(marks_code("wish", "-c"));      /* the last */
    assert_true(marks_code("/usr/bin/wish", "-c"));
    assert_true(marks_code("python3", "-c"));
    assert_true(marks_code("python3.12", "-c"));
    assert_true(marks_code("pypy3", "-c"));
    assert_true(marks_code("nodejs", "-e"));
    assert_true(marks_code("node", "-e"));
    assert_true(marks_code("emacsclient", "--eval"));
    assert_true(marks_code("vimdiff", "--cmd"));

    /* Names that start with an uppercase letter match in any case: `rscript` runs Rscript
     * on a case-insensitive file system, and command.c only adds lowercase copies. */
    static const char *const folded[] = {"r", "rscript", "RSCRIPT", "rScript"};
    for (size_t i = 0; i < sizeof(folded) / sizeof(folded[0]); i++)
        assert_true(marks_code(folded[i], "-e"));

    /* Other lookups are case-sensitive, because command.c adds a lowercase copy of `PYTHON3`. */
    static const char *const others[] = {"Rscrip", "Rscripts", "rscripts", "wis", "wishx",
                                         "Wish", "pytho", "PYTHON3", "nod", "nodej", "emacsclien"};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        assert_false(marks_code(others[i], "-e"));
        assert_false(marks_code(others[i], "-c"));
    }
}

/*
 * ag_arena_printf() writes into the free end of the arena's current block
 * and formats again elsewhere when the text does not fit. Reasons built at
 * the end of a block must come out whole and stay intact after later
 * allocations.
 */
static void test_arena_printf_at_block_end(void **state)
{
    (void)state;
    char word[41];
    memset(word, 'w', sizeof(word) - 1);
    word[sizeof(word) - 1] = '\0';
    char expected[128];
    snprintf(expected, sizeof(expected), "`%s` matches %s (%d)", word, "Bash(x)", 12345);

    for (size_t fill = 16 * 1024 - 160; fill <= 16 * 1024; fill += 8) {
        ag_arena arena;
        ag_arena_init(&arena);
        assert_non_null(ag_arena_alloc(&arena, fill));
        char *text = ag_arena_printf(&arena, "`%s` matches %s (%d)", word, "Bash(x)", 12345);
        assert_non_null(text);
        assert_string_equal(text, expected);

        char *after = ag_arena_alloc(&arena, 64);
        assert_non_null(after);
        memset(after, 'x', 64);
        assert_string_equal(text, expected);
        ag_arena_release(&arena);
    }

    /* Longer than a whole block. */
    size_t length = 20 * 1024;
    char *large = malloc(length + 1);
    assert_non_null(large);
    memset(large, 'l', length);
    large[length] = '\0';
    ag_arena arena;
    ag_arena_init(&arena);
    char *text = ag_arena_printf(&arena, "[%s]", large);
    assert_non_null(text);
    assert_int_equal(strlen(text), length + 2);
    assert_int_equal(text[0], '[');
    assert_int_equal(text[length + 1], ']');
    assert_memory_equal(text + 1, large, length);
    ag_arena_release(&arena);
    free(large);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extraction_table),
        cmocka_unit_test(test_extraction_normalizes_like_paths),
        cmocka_unit_test(test_quote_keeps_short_text),
        cmocka_unit_test(test_printable_prefix_stops_at_control),
        cmocka_unit_test(test_builtin_table_matches_yaml),
        cmocka_unit_test(test_table_rejects_unknown_key),
        cmocka_unit_test(test_table_rejects_unknown_role),
        cmocka_unit_test(test_table_rejects_invalid_yaml),
        cmocka_unit_test(test_table_rejects_lone_tree_keys),
        cmocka_unit_test(test_effect_kind_names),
        cmocka_unit_test(test_table_lookup_edges),
        cmocka_unit_test(test_table_parse_sorts_entries),
        cmocka_unit_test(test_table_rejects_alias_twice),
        cmocka_unit_test(test_name_compare),
        cmocka_unit_test(test_wrapper_lookup_edges),
        cmocka_unit_test(test_name_tables_sorted),
        cmocka_unit_test(test_option_cluster_scan),
        cmocka_unit_test(test_interpreter_lookup_edges),
        cmocka_unit_test(test_arena_printf_at_block_end),
    };
    return cmocka_run_group_tests(tests, load_table, free_table);
}
