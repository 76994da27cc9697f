# Interactive shell in a Drydock sandbox.
export DOCKER_BUILDKIT=1
export COMPOSE_PROGRESS=plain
export EDITOR=nano
export LESS=-R
PS1='\[\e[1;36m\]sandbox\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\]\$ '
[ -f /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
