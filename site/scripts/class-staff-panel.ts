/**
 * The dashboard's Staff panel, for a class's instructor (or an admin): who
 * helps in the class, each with "May watch terminals" to tick or untick and
 * Remove; and a form that adds an assistant (or another instructor) by
 * username. Every change goes to /api/classes/:id/staff, and the list is drawn
 * again from the answer; a refusal is shown as the server's sentence.
 * Usernames and display names are set as text.
 */
import type { StaffMember } from '../../protocol/class-staff.ts';
import { changeStaff, grantStaff, listStaff, removeStaff } from './class-api.ts';

export interface StaffPanelElements {
  panel: HTMLElement;
  list: HTMLUListElement;
  form: HTMLFormElement;
  status: HTMLElement;
}

export class StaffPanel {
  readonly #classId: string;
  readonly #el: StaffPanelElements;
  #loaded = false;

  constructor(classId: string, elements: StaffPanelElements) {
    this.#classId = classId;
    this.#el = elements;
    elements.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#add();
    });
  }

  /** Shows the panel (loading the list the first time) or hides it. */
  show(visible: boolean): void {
    this.#el.panel.hidden = !visible;
    if (!visible || this.#loaded) return;
    this.#loaded = true;
    listStaff(this.#classId).then(
      (staff) => this.#draw(staff),
      (error: Error) => {
        this.#loaded = false;
        this.#say(error.message);
      },
    );
  }

  #say(text: string): void {
    this.#el.status.textContent = text;
  }

  async #add(): Promise<void> {
    const input = this.#el.form.elements.namedItem('username') as HTMLInputElement;
    const mayWatch = (this.#el.form.elements.namedItem('mayWatch') as HTMLInputElement).checked;
    const username = input.value.trim();
    input.removeAttribute('aria-invalid');
    if (!username) {
      input.setAttribute('aria-invalid', 'true');
      this.#say('Type the username of an assistant’s account.');
      input.focus();
      return;
    }
    this.#say('Adding…');
    try {
      const staff = await grantStaff(this.#classId, username, mayWatch);
      this.#draw(staff);
      const added = staff.find((s) => s.username === username.toLowerCase());
      this.#say(
        `${added?.displayName ?? username} helps in this class${mayWatch ? ' and may watch terminals' : ''}.`,
      );
      this.#el.form.reset();
    } catch (error) {
      input.setAttribute('aria-invalid', 'true');
      this.#say((error as Error).message);
      input.focus();
    }
  }

  async #change(member: StaffMember, mayWatch: boolean): Promise<void> {
    try {
      this.#draw(await changeStaff(this.#classId, member.userId, mayWatch));
      this.#say(
        mayWatch
          ? `${member.displayName} may watch terminals.`
          : `${member.displayName} no longer watches terminals.`,
      );
    } catch (error) {
      this.#say((error as Error).message);
    }
  }

  async #remove(member: StaffMember): Promise<void> {
    try {
      this.#draw(await removeStaff(this.#classId, member.userId));
      this.#say(`${member.displayName} no longer helps in this class.`);
    } catch (error) {
      this.#say((error as Error).message);
    }
  }

  #draw(staff: StaffMember[]): void {
    if (staff.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'hint staff-empty';
      empty.textContent = 'Nobody helps in this class yet.';
      this.#el.list.replaceChildren(empty);
      return;
    }
    this.#el.list.replaceChildren(...staff.map((member) => this.#item(member)));
  }

  #item(member: StaffMember): HTMLLIElement {
    const item = document.createElement('li');
    item.className = 'staff-member';
    item.dataset.username = member.username;

    const who = document.createElement('div');
    who.className = 'staff-who';
    const name = document.createElement('span');
    name.className = 'staff-name';
    name.textContent = member.displayName;
    const detail = document.createElement('span');
    detail.className = 'staff-detail';
    detail.textContent = [
      member.username,
      member.role === 'assistant' ? 'assistant' : 'instructor',
      ...(member.disabled ? ['account disabled'] : []),
    ].join(' · ');
    who.append(name, detail);

    const watch = document.createElement('label');
    watch.className = 'staff-check';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = member.mayWatch;
    box.addEventListener('change', () => void this.#change(member, box.checked));
    watch.append(box, ' May watch terminals');
    box.setAttribute('aria-label', `${member.displayName} may watch terminals`);

    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'secondary danger';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${member.displayName}`);
    remove.addEventListener('click', () => void this.#remove(member));

    item.append(who, watch, remove);
    return item;
  }
}
