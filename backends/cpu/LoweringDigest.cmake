# cmake -DOUTPUT=<header> -DSOURCES=<a|b|c> -P LoweringDigest.cmake
# Writes a header holding the SHA-256 of the lowering's sources. Compiled objects are cached
# under a key that includes it, so an object the lowering of another build produced is never
# mistaken for one of this build's.
string(REPLACE "|" ";" files "${SOURCES}")
list(SORT files)
set(all "")
foreach(file IN LISTS files)
  file(READ "${file}" contents)
  string(APPEND all "${file}\n${contents}\n")
endforeach()
string(SHA256 digest "${all}")
file(WRITE "${OUTPUT}.tmp" "#pragma once\n#define DRAWBRIDGE_LOWERING_DIGEST \"${digest}\"\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
