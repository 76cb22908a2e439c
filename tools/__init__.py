"""Operations tooling around the archive and source stacks: deploy, CI matrix, delivery check."""
