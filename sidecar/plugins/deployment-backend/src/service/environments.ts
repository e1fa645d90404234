import { InputError, NotFoundError } from '@backstage/errors';
import type { Environment } from '@internal/plugin-deployment-common';
import type { DeploymentProvider, ProviderAccess, WorkflowInfo } from '../provider/DeploymentProvider';

type CheckedEnvironment = Pick<Environment, 'repository' | 'workflow' | 'ref' | 'versionInput' | 'environmentInput'>;

/**
 * Checks an environment's configuration against GitHub before it is stored:
 * the repository and workflow exist (404 otherwise), the workflow accepts
 * `workflow_dispatch` on the ref, and when it declares inputs, those include
 * the configured version and environment inputs (400 otherwise).
 */
export async function checkEnvironmentAgainstGitHub(
  provider: DeploymentProvider,
  access: ProviderAccess,
  environment: CheckedEnvironment,
): Promise<void> {
  const { repository, workflow, ref } = environment;
  try {
    await provider.getRepository(access, repository);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(`repository: ${repository} was not found on GitHub, or the credential cannot see it`);
    }
    throw error;
  }

  let info: WorkflowInfo;
  try {
    info = await provider.getWorkflow(access, repository, workflow, ref);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(`workflow: ${workflow} was not found in ${repository} on ref ${ref}`);
    }
    throw error;
  }

  if (!info.acceptsDispatch) {
    throw new InputError(
      `workflow: ${workflow} in ${repository} does not accept workflow_dispatch on ref ${ref}; add "on: workflow_dispatch" to it`,
    );
  }
  if (info.inputs.length > 0) {
    const missing: string[] = [];
    if (!info.inputs.includes(environment.versionInput)) {
      missing.push(`versionInput "${environment.versionInput}"`);
    }
    if (environment.environmentInput !== '-' && !info.inputs.includes(environment.environmentInput)) {
      missing.push(`environmentInput "${environment.environmentInput}"`);
    }
    if (missing.length > 0) {
      throw new InputError(
        `${missing.join(' and ')}: workflow ${workflow} declares no such input (it declares ${info.inputs.join(', ')})`,
      );
    }
  }
}
