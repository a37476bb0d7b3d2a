# bash completion for proactive-studio, generated from its --help texts.
_proactive_studio()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local options
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "replay serve --help --version --workspace" -- "$cur"))
        return
    fi
    case ${COMP_WORDS[1]} in
    --workspace)
        ((COMP_CWORD == 2)) && COMPREPLY=($(compgen -d -- "$cur"))
        return
        ;;
    replay)
        options="-h --help --sweep --diff"
        case $prev in
        --sweep)
            COMPREPLY=()
            return
            ;;
        --diff)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        esac
        ;;
    serve)
        options="-h --help --workspace --listen --db --quiet"
        case $prev in
        --workspace)
            COMPREPLY=($(compgen -d -- "$cur"))
            return
            ;;
        --listen)
            COMPREPLY=()
            return
            ;;
        --db)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        esac
        ;;
    *)
        return
        ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _proactive_studio proactive-studio
