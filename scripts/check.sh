#!/bin/sh
# check.sh -- source checks (curl's checksrc, in spirit).  Prints TAP, one case per check:
#   format   clang-format --dry-run --Werror over every C file
#   banned   no strcpy/strcat/sprintf/vsprintf/strtok/atoi/rand/gets anywhere, and no memcmp,
#            strcmp or strncmp on secrets in lib/crypto/ (sodium_memcmp only)
#   cppcheck cppcheck finds no error, warning or portability issue
set -u
cd "$(dirname "$0")/.."
n=0
failed=0
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '^build')
else
    files=$(find include lib server cli tools tests -name '*.[ch]' -not -path '*/node_modules/*')
fi

result() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=1
    fi
}

out=$(clang-format --dry-run --Werror $files 2>&1)
result $? "format: clang-format reports no difference"
[ -z "$out" ] || echo "$out" | head -20 | sed 's/^/# /'

banned='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|rand|srand|gets)[[:space:]]*\('
hits=$(grep -nE "$banned" $files | grep -v '^scripts/')
[ -z "$hits" ]
result $? "banned: no unbounded or unsafe libc calls"
[ -z "$hits" ] || echo "$hits" | head -20 | sed 's/^/# /'

hits=$(grep -nE '\b(memcmp|strcmp|strncmp|bcmp)[[:space:]]*\(' lib/crypto/*.c)
[ -z "$hits" ]
result $? "banned: lib/crypto compares only with sodium_memcmp"
[ -z "$hits" ] || echo "$hits" | head -20 | sed 's/^/# /'

out=$(cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
    --std=c11 -I include -I lib -I server --suppress=missingIncludeSystem \
    lib server cli tools 2>&1)
result $? "cppcheck: no errors, warnings or portability issues"
[ -z "$out" ] || echo "$out" | head -20 | sed 's/^/# /'

echo "1..$n"
exit $failed
