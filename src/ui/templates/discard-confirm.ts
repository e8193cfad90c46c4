// Asks before a command replaces a graph that has unsaved changes (New, opening a template): save it first,
// discard it, or keep it. One question at a time; the dialog (DiscardDialog.vue) answers it.
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'

export type DiscardAnswer = 'save' | 'discard' | 'cancel'

export interface DiscardQuestion {
  /** The graph that would be replaced. */
  readonly graphName: string
  /** What replaces it, for the question ("start a new graph", "open the template X"). */
  readonly action: string
  answer(choice: DiscardAnswer): void
}

export const useDiscardConfirm = defineStore('discard-confirm', () => {
  const question = shallowRef<DiscardQuestion | null>(null)

  function ask(graphName: string, action: string): Promise<DiscardAnswer> {
    question.value?.answer('cancel')
    return new Promise((resolve) => {
      question.value = {
        graphName,
        action,
        answer: (choice) => {
          question.value = null
          resolve(choice)
        },
      }
    })
  }

  return { question, ask }
})
