# ng_cflags.m4 -- newsgrep's own compiler-flag probe.
#
# NG_CHECK_CFLAG(FLAG, ACTION-IF-OK, [ACTION-IF-NOT])
# Compiles an empty program with FLAG added (and -Werror, so that compilers
# that merely warn about an unknown flag count as not supporting it).
AC_DEFUN([NG_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([ng_var], [ng_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [ng_var], [
    ng_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([ng_var], [yes])], [AS_VAR_SET([ng_var], [no])])
    CFLAGS=$ng_save_CFLAGS])
  AS_VAR_IF([ng_var], [yes], [$2], [$3])
  AS_VAR_POPDEF([ng_var])
])
