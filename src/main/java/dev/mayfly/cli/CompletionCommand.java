package dev.mayfly.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    description = {
      "Print the shell completion script for every command and option.",
      "bash: source <(mayfly completion bash), or save it in ~/.local/share/bash-completion/completions/mayfly.",
      "zsh: source <(mayfly completion zsh) in ~/.zshrc (it loads zsh's bashcompinit)."
    })
final class CompletionCommand implements Callable<Integer> {
  enum Shell {
    bash,
    zsh
  }

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  @Override
  public Integer call() {
    // picocli's script completes in both shells: under zsh it turns on bashcompinit itself
    main.out().print(AutoComplete.bash("mayfly", spec.root().commandLine()));
    main.out().flush();
    return 0;
  }
}
