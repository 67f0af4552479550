// What every record form keeps besides its fields: the errors beside the
// fields, the sentence above the buttons, whether a save is running, and
// whether it failed on a revision conflict (then `reload` offers the saved
// version). One place for the save cycle the four record forms share.
import { errorText, saveFailure } from "./validate";

export class SaveStatus {
  errors = $state<Record<string, string>>({});
  formError = $state("");
  busy = $state(false);
  conflict = $state(false);

  /** Shows the client-side checks; true when every field passed. */
  check(errors: Record<string, string>): boolean {
    this.errors = errors;
    return !Object.values(errors).some(Boolean);
  }

  /**
   * Runs a save. A failure goes beside its field (`field` maps the backend's
   * field name to the form's) or above the buttons.
   */
  async run(save: () => Promise<void>, field?: (e: unknown) => string): Promise<void> {
    this.busy = true;
    this.formError = "";
    try {
      await save();
    } catch (e) {
      ({ formError: this.formError, conflict: this.conflict } = saveFailure(e, this.errors, field?.(e)));
    } finally {
      this.busy = false;
    }
  }

  /** After a conflict: `load` fetches the saved version and refills the form. */
  async reload(load: () => Promise<void>): Promise<void> {
    try {
      await load();
      this.errors = {};
      this.formError = "";
      this.conflict = false;
    } catch (e) {
      this.formError = errorText(e);
    }
  }
}
