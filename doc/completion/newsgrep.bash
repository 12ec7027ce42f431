# bash completion for newsgrep(1)                         -*- shell-script -*-
#
# Installed as $(datadir)/bash-completion/completions/newsgrep, where
# bash-completion loads it on demand; or source it from ~/.bashrc.
# Keep the option lists in step with src/cli/*.c and doc/newsgrep.1
# (tests/cli/test-output.sh compares them).

_newsgrep_langs="arabic armenian basque catalan danish dutch english finnish
french german greek hindi hungarian indonesian irish italian lithuanian nepali
norwegian porter portuguese romanian russian serbian spanish swedish tamil
turkish yiddish none"

_newsgrep()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -s || return
    else
        # without bash-completion: no handling of "--opt=value" words
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="search index optimize stats check show help"
    local common="--index --help -h --version -V"
    local search_opts="--limit -n --offset -c -l --json --format --since --until
        --sort --recent --total --title-weight --no-names --color --colour --k1 --b --batch
        --explain"
    local index_opts="--rebuild --lang --memory --threads -j --wait --quiet -q
        --verbose -v"

    # the command: the first word after any "--index DIR"
    local i cmd="" skip=0
    for ((i = 1; i < cword; i++)); do
        if ((skip)); then
            skip=0
            continue
        fi
        case ${words[i]} in
        --index) skip=1 ;;
        --index=*) ;;
        *)
            cmd=${words[i]}
            break
            ;;
        esac
    done

    # values of options
    case $prev in
    --index)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
        return
        ;;
    --batch)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --lang)
        COMPREPLY=($(compgen -W "$_newsgrep_langs" -- "$cur"))
        return
        ;;
    --color | --colour)
        COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
        return
        ;;
    --sort)
        COMPREPLY=($(compgen -W "score date" -- "$cur"))
        return
        ;;
    --format | --limit | -n | --offset | --since | --until | --recent | --title-weight | --k1 | --b | --memory | \
        --threads | -j | --wait)
        return # a number or a date: nothing to offer
        ;;
    esac

    case $cmd in
    "")
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$common $search_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        ;;
    index)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$common $index_opts" -- "$cur"))
        else
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        ;;
    stats | show)
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$common --json" -- "$cur"))
        ;;
    optimize | check | help)
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$common" -- "$cur"))
        ;;
    *)
        # search, or a search without the command word: query words are free
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$common $search_opts" -- "$cur"))
        ;;
    esac
}

complete -F _newsgrep newsgrep
